"""Health, readiness, Prometheus metrics and redacted logs on a real server."""

from __future__ import annotations

import httpx
import pytest
from pycrdt import Text

from tests.support.conditions import wait_until
from tests.support.pyclient import python_client
from tests.support.raw import raw_connect
from tests.support.server import ServerProcess


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith((name + " ", name + "{")):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics")


@pytest.mark.asyncio
async def test_metrics_count_traffic_commits_and_refusals(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        async with python_client(server.http_url, "metered") as doc:
            doc.get("t", type=Text).insert(0, "mitattu")
            async with python_client(server.http_url, "metered") as other:
                await wait_until(lambda: str(other.get("t", type=Text)) == "mitattu")
                text = (await http.get("/metrics")).text
                assert metric(text, "verstas_connections") == 2
                assert metric(text, "verstas_documents_loaded") == 1
        async with raw_connect(server.port, "/collab/metered") as (_, sock):
            await sock.send_frame(0x1, b"text")
            assert await sock.close_code(2) == 1003
        response = await http.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert metric(text, "verstas_updates_applied_total") >= 1
    assert metric(text, "verstas_committed_updates_total") >= 1
    assert metric(text, "verstas_commit_latency_seconds_count") >= 1
    assert metric(text, "verstas_frames_sent_total") >= 1
    assert 'verstas_refused_total{reason="unsupported_data"} 1.0' in text


@pytest.mark.asyncio
async def test_readiness_and_health(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        assert (await http.get("/readyz")).json() == {"status": "ok"}


@pytest.mark.asyncio
async def test_tokens_are_redacted_from_logs(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        await http.get("/healthz?token=very-secret-value")
    await wait_until(lambda: "/healthz?token=[redacted]" in server.log_text())
    assert "very-secret-value" not in server.log_text()
