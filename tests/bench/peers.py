"""The peers-per-room scenario's parameters: one room of 2 to 200 clients at one total rate.

Why a constant total rate: it keeps the updates the server commits per second the same at
every size, so what grows with the room is the fan-out alone (each update is delivered to
every other client). Each size runs as the fan-out scenario with one room (`run_fanout`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from tests.bench.scenarios import FanoutParams
from tests.bench.servers import ServerKind

# The servers measured unless --servers names others: Verstas and the reference it is compared
# with. pycrdt-websocket saturates a core near 10,000 deliveries/s, half of what the largest
# room asks for.
PEERS_SERVERS: Final = (ServerKind.VERSTAS, ServerKind.REFERENCE)


@dataclass(frozen=True, slots=True)
class PeersParams:
    sizes: tuple[int, ...]  # clients in the one room
    total_rate: float  # updates per second into the room, split evenly over its clients
    duration_s: float

    def fanout(self, clients: int) -> FanoutParams:
        """One room of `clients`, each sending its share of the total rate."""
        return FanoutParams(
            rooms=1,
            clients_per_room=clients,
            rate=self.total_rate / clients,
            duration_s=self.duration_s,
        )


# 100 updates/s is a busy workshop (ten people typing steadily); at 200 clients it makes
# 19,900 deliveries/s, within reach of the reference and of the generator on one core.
PEERS_FULL = PeersParams(sizes=(2, 10, 50, 200), total_rate=100.0, duration_s=20.0)
PEERS_QUICK = PeersParams(sizes=(2, 10, 50, 200), total_rate=100.0, duration_s=5.0)
