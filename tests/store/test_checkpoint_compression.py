"""PostgreSQL stores checkpoints compressed with LZ4 (migration 0005) where it supports it, and
with its default (pglz) where it does not.

Only PostgreSQL compresses large values, so this is not part of the contract suite."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pycrdt import Doc, Text
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from documents.store.factory import create_store
from documents.store.log import PendingUpdate
from tests.support.databases import migrated_postgres


@pytest.mark.asyncio
async def test_a_large_checkpoint_is_stored_with_lz4_where_it_can_and_read_back_whole() -> None:
    url = await migrated_postgres()
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            supported = (
                await conn.execute(
                    text(
                        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
                        " WHERE name = 'default_toast_compression'"
                    )
                )
            ).scalar()
        doc: Doc[Any] = Doc()
        text_ = doc.get("t", type=Text)
        for n in range(3000):  # a state of ~100 KB, well past the 2 KB PostgreSQL compresses from
            text_.insert(len(text_) - n % 7 if len(text_) > 7 else 0, f"{n:04d}")
        state = doc.get_update()
        name = f"lz4-{uuid.uuid4().hex}"
        store = create_store(url)
        await store.open()
        try:
            (position,) = await store.append([PendingUpdate(name, state)])
            await store.save_checkpoint(name, state, position)
            loaded = await store.load(name)
        finally:
            await store.close()
        async with engine.connect() as conn:
            method = (
                await conn.execute(
                    text(
                        "SELECT pg_column_compression(state) FROM checkpoints WHERE document = :d"
                    ),
                    {"d": name},
                )
            ).scalar()
        assert method == ("lz4" if supported else "pglz")
        assert loaded.checkpoint == state
    finally:
        await engine.dispose()
