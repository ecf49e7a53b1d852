"""Where the nodes of one deployment leave their reports for operators.

Each node writes its own report under its own key with a time to live and renews it on every
sampling round, so any node can show every node, and a node that died drops off the list by
itself. Reports are operational data only: losing them (Redis down) loses nothing else.
"""

from __future__ import annotations

import json
from typing import Protocol

import redis.asyncio as redis

from collab.node_report import NodeReport

KEY_PREFIX = "verstas:node:"


class NodeDirectory(Protocol):
    async def publish(self, node_id: str, report: NodeReport) -> None: ...

    async def reports(self) -> list[NodeReport]:
        """Every live node's latest report, this node's included if it published one."""
        ...

    async def close(self) -> None: ...


class RedisNodeDirectory:
    """Reports as JSON strings under `verstas:node:{node_id}`, expiring after `ttl` seconds."""

    def __init__(self, url: str, *, ttl: float = 15.0) -> None:
        self._client: redis.Redis = redis.Redis.from_url(url)
        self._ttl_ms = int(ttl * 1000)

    async def publish(self, node_id: str, report: NodeReport) -> None:
        await self._client.set(KEY_PREFIX + node_id, json.dumps(report), px=self._ttl_ms)

    async def reports(self) -> list[NodeReport]:
        keys = sorted([key async for key in self._client.scan_iter(match=KEY_PREFIX + "*")])
        if not keys:
            return []
        values = await self._client.mget(keys)
        # A key that expired between the scan and the read comes back as None.
        return [json.loads(value) for value in values if value is not None]

    async def close(self) -> None:
        await self._client.aclose()
