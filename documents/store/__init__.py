"""Persistence of documents: an append-only update log plus checkpoints."""

from documents.store.base import CorruptLogEntry, LogEntry, PendingUpdate, Store, StoredDocument
from documents.store.factory import check_url, create_store
from documents.store.schema import SchemaError

__all__ = [
    "CorruptLogEntry",
    "LogEntry",
    "PendingUpdate",
    "SchemaError",
    "Store",
    "StoredDocument",
    "check_url",
    "create_store",
]
