"""A workshop with a live Innopaja session, driven over the JSON API like the pages will."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.api import ApiClient


@dataclass
class LiveWorkshop:
    """A workshop, tokens for its owner and a facilitator, a live session and a participant
    link that expires with it."""

    api: ApiClient
    workshop: str
    owner: str
    facilitator: str
    participant: str
    session: str

    @property
    def path(self) -> str:
        """The session's API path."""
        return f"/api/workshops/{self.workshop}/sessions/{self.session}"

    async def join(self, name: str, token: str | None = None) -> str:
        """Join under a name; the person key."""
        response = await self.api.post(
            self.path + "/participants", token=token or self.participant, json={"name": name}
        )
        assert response.status_code == 201, response.text
        person: str = response.json()["person_token"]
        return person

    async def as_person(
        self, method: str, suffix: str, person: str, json: Any = None, token: str | None = None
    ) -> httpx.Response:
        """A request of a participant who joined (their person key beside the link's token)."""
        return await self.api.request(
            method,
            self.path + suffix,
            token=token or self.participant,
            json=json,
            headers={"Verstas-Person": person},
        )

    async def steer(self, suffix: str, json: Any = None) -> dict[str, Any]:
        """A facilitator's action; the session as it stands after it."""
        response = await self.api.post(self.path + suffix, token=self.facilitator, json=json)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


async def live_workshop(
    api: ApiClient, title: str = "Yöpartion suunnittelu", **session: Any
) -> LiveWorkshop:
    created = (
        await api.post("/api/workshops", json={"title": "Kotihoito", "organisation": "Kuopio"})
    ).json()
    workshop, owner = created["id"], created["owner_token"]
    facilitator = (
        await api.post(
            f"/api/workshops/{workshop}/links", token=owner, json={"role": "facilitator"}
        )
    ).json()["token"]
    started = await api.post(
        f"/api/workshops/{workshop}/sessions", token=facilitator, json={"title": title, **session}
    )
    assert started.status_code == 201, started.text
    session_id = started.json()["id"]
    link = await api.post(
        f"/api/workshops/{workshop}/sessions/{session_id}/links", token=facilitator, json={}
    )
    assert link.status_code == 201, link.text
    return LiveWorkshop(api, workshop, owner, facilitator, link.json()["token"], session_id)
