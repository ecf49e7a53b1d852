"""The notice that a workshop's versions changed, so every page updates its list live.

The server writes a small marker whenever it adds a version (named, automatic, or made by a
restore) and whenever it restores one; the pages observe it and only then ask for the list
again. So nothing polls: a page learns of a change the moment the server makes one, through the
socket it already has, on every server of a multi-node deployment (the marker is an ordinary
update, relayed like any other).

The marker lives in the comments document, the one document every page syncs that is not
versioned: in the content document it would itself be a change to version, to fork and to pull.
It is the root map `versions`: `latest` is the newest version's id, and `restore` a fresh id for
each restore, so that two restores of the same version are two notices. Nothing reads it as
data (the export and import leave it out); anyone who may comment could write it too, which
makes pages ask for the list once more and nothing else.
"""

from __future__ import annotations

from typing import Any, Final

from pycrdt import Doc

from documents.workshop_doc import new_item_id, root

NOTICE_ROOT: Final = "versions"


def note_version(comments: Doc[Any], version_id: str) -> None:
    """A version was added: pages list the versions again."""
    root(comments, NOTICE_ROOT)["latest"] = version_id


def note_restore(comments: Doc[Any]) -> None:
    """A version was restored: pages list the versions again and drop a comparison with the
    content as it was (it no longer is)."""
    root(comments, NOTICE_ROOT)["restore"] = new_item_id()
