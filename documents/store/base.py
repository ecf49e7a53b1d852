"""The store: the update log, workshops, lineage and live sessions over one database, as every
backend provides them (documents.store.factory makes one for a database URL).

The four parts share a database so that one transaction can span them (a workshop is created
with its documents' first updates), but each caller asks only for the part it needs: the
collaboration layer sees the update log alone (documents.store.log).
"""

from __future__ import annotations

from typing import Protocol

from documents.store.lineage import Lineage
from documents.store.log import UpdateLog
from documents.store.sessions import SessionStore
from documents.store.workshops import Workshops


class Store(UpdateLog, Protocol):
    """The update log, with the workshop and lineage repositories over the same database."""

    @property
    def workshops(self) -> Workshops:
        """Workshops and share links."""
        ...

    @property
    def lineage(self) -> Lineage:
        """Versions and the fork graph."""
        ...

    @property
    def sessions(self) -> SessionStore:
        """Live Innopaja sessions, their people, notes and votes."""
        ...
