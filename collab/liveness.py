"""When a connection counts as dead, as a pure rule: the endpoint keeps one timer per
connection (never a task per connection) and asks this what to do each time it fires.

Before a client's first message the timer is the handshake deadline: a client that upgrades
and then says nothing is cut. After it, a client silent for a third of the idle timeout is
pinged (every websocket client answers a ping, so an idle but live tab is heard), and one
silent for the whole idle timeout is cut.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GiveUp:
    """Close the connection: it is dead, for this reason."""

    reason: str


@dataclass(frozen=True, slots=True)
class CheckAgain:
    """Look again in `after` seconds, pinging the client first if `ping`."""

    after: float
    ping: bool = False


def first_check_after(idle_timeout: float) -> float:
    """When the first check after a client's first message is due."""
    return idle_timeout / 3


def next_check(*, heard_message: bool, silent: float, idle_timeout: float) -> GiveUp | CheckAgain:
    """What the timer does now, `silent` seconds after the client was last heard."""
    if not heard_message:
        return GiveUp("no sync message within the handshake timeout")
    if silent >= idle_timeout:
        return GiveUp(f"nothing received for {silent:.0f} s")
    ping_after = first_check_after(idle_timeout)
    if silent >= ping_after:
        return CheckAgain(ping_after, ping=True)
    return CheckAgain(ping_after - silent)
