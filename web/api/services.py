"""What the handlers need from the app's lifespan state, read from the request."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from collab.hub import CollabHub
from documents.store.base import Store
from documents.store.workshops import Workshops
from documents.workshop_service import Snapshot
from web.auth import AccessResolver


@dataclass(frozen=True, slots=True)
class Services:
    """What the handlers need from the app's lifespan state."""

    workshops: Workshops
    access: AccessResolver
    hub: CollabHub

    @staticmethod
    def of(request: Request) -> Services:
        return Services(request.state.store.workshops, request.state.access, request.state.collab)


def store_of(request: Request) -> Store:
    store: Store = request.state.store
    return store


def snapshot_of(request: Request) -> Snapshot:
    """Documents' committed states, loaded or not (`collab.rooms.Rooms.snapshot`)."""
    return Services.of(request).hub.rooms.snapshot
