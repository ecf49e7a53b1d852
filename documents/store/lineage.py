"""The contract for versions and lineage: named log positions and the fork graph (the SQL
implementation is documents.store.sql.lineage).

Fork edges themselves are written by `Workshops.create`, in the transaction that creates the
fork; everything here reads them or records what happens on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from documents.records import FamilyRow, ForkEdge, VersionRecord
from documents.store.log import StoredDocument


class Lineage(Protocol):
    """Versions, fork edges and the events on them, in the same database as the log.

    Lineage questions are answered by the database in one round trip each, never by walking
    the graph one row at a time: a model adopted by hundreds of municipalities must still
    answer "where is this in use" at once.
    """

    async def add_version(
        self,
        workshop_id: str,
        label: str,
        *,
        author: str | None,
        automatic: bool,
        position: int,
        state_vector: bytes,
    ) -> VersionRecord: ...

    async def versions(self, workshop_id: str) -> list[VersionRecord]:
        """Newest first."""
        ...

    async def version(self, workshop_id: str, version_id: str) -> VersionRecord | None: ...

    async def family_head(self, workshop_id: str) -> tuple[str, int]:
        """The workshop at the top of this one's family (itself when it is no fork) and the
        family's graph version, which every change to the graph advances. LookupError if there
        is no such workshop."""
        ...

    async def family(self, root_id: str) -> Sequence[FamilyRow]:
        """Every fork under the root, oldest first, with its child's node."""
        ...

    async def activity_below(self, workshop_id: str) -> dict[str, str | None]:
        """Every fork under this workshop, and when its content last changed (ISO 8601)."""
        ...

    async def family_activity(self, root_id: str) -> dict[str, str | None]:
        """`activity_below` the family's root (the same answer, without walking the graph)."""
        ...

    async def edited_forks(self, child_ids: Sequence[str]) -> dict[str, tuple[bytes, int]]:
        """The forks among these whose content was edited after the fork, each with the state it
        started from (its content's first log entry, written with the fork) and the position
        of its latest entry. Raises CorruptLogEntry if that entry fails its checksum."""
        ...

    async def last_positions(self, documents: Sequence[str]) -> dict[str, int]:
        """The position of each document's latest log entry (documents never written are
        absent): one index seek each, to tell whether what was read of them still stands."""
        ...

    async def read_many(self, documents: Sequence[str]) -> dict[str, StoredDocument]:
        """Each document's latest checkpoint and the log after it, as `UpdateLog.load` reads
        one, for views that read many documents at once: two queries for all of them. Unlike
        `load` it does not wait for appends other processes have in flight (PostgreSQL), so a
        document may read as it stood a moment ago. Raises CorruptLogEntry."""
        ...

    async def children(self, workshop_id: str) -> list[ForkEdge]:
        """The direct forks of a workshop, oldest first."""
        ...

    async def parent(self, child_id: str) -> ForkEdge | None: ...

    async def record_event(
        self,
        child_id: str,
        kind: str,
        *,
        actor: str | None,
        accepted: Sequence[str],
        rejected: Sequence[str],
    ) -> None:
        """A pull or a proposal on the edge of `child_id`."""
