"""Dot votes: what a cast or a take-back may do, and the results in order.

Each person has a budget of dots (`per_person`) to spread over the vote's items, at most
`max_per_item` on one item, and may take a dot back while the vote is open. Casts go through
the server: the store runs `check_cast` on the person's dots as they stand inside the same
locked transaction that records the cast, so concurrent casts can neither pass a limit nor lose
a count. Tallies are nobody's business until the vote closes; then they are ordered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from documents.live.targets import COMPONENTS, IDEAS, item_id
from documents.workshop_doc import ContentData

BUDGET_SPENT: Final = "vote_budget_spent"
ITEM_CAP: Final = "vote_item_cap"
NO_DOT: Final = "vote_no_dot"
CLOSED: Final = "vote_closed"
MAX_ITEMS: Final = 200


class InvalidVote(ValueError):
    """A vote or a cast that names things the vote does not have."""


class VoteRefused(Exception):
    """A cast or take-back the rules refuse; `code` says which rule (one of the constants)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class VoteRules:
    items: tuple[str, ...]  # `ideas/ID` and `model/components/ID` targets, in the given order
    per_person: int
    max_per_item: int

    @classmethod
    def checked(cls, items: Iterable[str], per_person: int, max_per_item: int) -> VoteRules:
        listed = tuple(items)
        if not listed or len(listed) > MAX_ITEMS:
            raise InvalidVote(f"a vote has 1 to {MAX_ITEMS} items")
        if len(set(listed)) != len(listed):
            raise InvalidVote("each item may be on the vote once")
        wrong = [item for item in listed if item_id(item) is None]
        if wrong:
            raise InvalidVote(
                f"items are ideas (ideas/ID) or components (model/components/ID), not {wrong}"
            )
        if per_person < 1 or not 1 <= max_per_item <= per_person:
            raise InvalidVote("per_person is at least 1 and max_per_item from 1 to per_person")
        return cls(listed, per_person, max_per_item)

    def check_cast(self, mine: Mapping[str, int], item: str) -> None:
        """Raise unless one more dot of this person's (whose dots are `mine`) may go on item."""
        self._check_item(item)
        if sum(mine.values()) >= self.per_person:
            raise VoteRefused(
                BUDGET_SPENT,
                f"over the per-person limit: all {self.per_person} of your dots are used; "
                "take one back to move it",
            )
        if mine.get(item, 0) >= self.max_per_item:
            raise VoteRefused(
                ITEM_CAP, f"over the per-item limit: at most {self.max_per_item} dots on one item"
            )

    def check_uncast(self, mine: Mapping[str, int], item: str) -> None:
        self._check_item(item)
        if mine.get(item, 0) < 1:
            raise VoteRefused(NO_DOT, "you have no dot on this item to take back")

    def dots_left(self, mine: Mapping[str, int]) -> int:
        return max(0, self.per_person - sum(mine.values()))

    def _check_item(self, item: str) -> None:
        if item not in self.items:
            raise InvalidVote(f"{item!r} is not on this vote")

    def to_json(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "per_person": self.per_person,
            "max_per_item": self.max_per_item,
        }


@dataclass(frozen=True, slots=True)
class Tally:
    item: str
    label: str  # the item's text when the vote closed
    count: int
    rank: int  # 1 for the most dots; equal counts share a rank

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "label": self.label, "count": self.count, "rank": self.rank}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        return cls(str(data["item"]), str(data["label"]), int(data["count"]), int(data["rank"]))


def ordered_results(
    rules: VoteRules, counts: Mapping[str, int], labels: Mapping[str, str]
) -> list[Tally]:
    """Every item with its dots, most first; ties keep the vote's own item order."""
    order = sorted(range(len(rules.items)), key=lambda i: (-counts.get(rules.items[i], 0), i))
    results: list[Tally] = []
    for position, index in enumerate(order):
        item = rules.items[index]
        count = counts.get(item, 0)
        tied = results and results[-1].count == count
        rank = results[-1].rank if tied else position + 1
        results.append(Tally(item, labels.get(item, ""), count, rank))
    return results


def item_labels(content: ContentData) -> dict[str, str]:
    """What each item that may be voted on reads as now: an idea's text, a component's title
    (or its description when it has none)."""
    labels = {IDEAS + idea["id"]: idea["text"] for idea in content["ideas"]}
    for component in content["components"]:
        labels[COMPONENTS + component["id"]] = component["title"] or component["description"]
    return labels
