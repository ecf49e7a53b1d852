"""Persistence of documents: an append-only update log plus checkpoints."""

from documents.store.base import CorruptLogEntry, LogEntry, PendingUpdate, Store, StoredDocument
from documents.store.factory import create_store

__all__ = [
    "CorruptLogEntry",
    "LogEntry",
    "PendingUpdate",
    "Store",
    "StoredDocument",
    "create_store",
]
