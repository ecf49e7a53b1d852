"""Operator tokens, and who may open the admin view.

An operator token is signed with the server's secret (the one share-link tokens use, shared by
every node through the database) under a salt of its own, so neither kind of token can pass
for the other. It names the operator and carries its expiry: there is no row to revoke, so
validity is bounded instead; changing the secret key ends every operator token at once (and
every share-link token with it). `verstas operator-token` mints one from the database.

A workshop owner's share-link token opens the admin view too, narrowed to that workshop's
documents; every other share link is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer

from collab.admission import Denied
from web.auth import AccessResolver

_SALT = "verstas.operator.v1"


@dataclass(frozen=True, slots=True)
class OperatorClaims:
    name: str
    expires_at: float  # wall-clock seconds


class OperatorTokens:
    """Minting and reading signed operator tokens."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=_SALT)

    def mint(self, name: str, expires_at: float) -> str:
        return self._serializer.dumps({"o": name, "x": int(expires_at)})

    def read(self, token: str) -> OperatorClaims | None:
        """The claims of a genuine operator token, expired or not; None for anything else."""
        try:
            data = self._serializer.loads(token)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        name, expires_at = data.get("o"), data.get("x")
        if not isinstance(name, str) or not isinstance(expires_at, int):
            return None
        return OperatorClaims(name, float(expires_at))


@dataclass(frozen=True, slots=True)
class AdminViewer:
    """Who is looking: an operator (`workshop_id` None) sees every document, an owner only
    the documents of their workshop. `label` names them in logs, `operator` on the page."""

    label: str
    workshop_id: str | None
    operator: str | None = None


async def admin_viewer(
    token: str | None, operators: OperatorTokens, access: AccessResolver, now: float
) -> AdminViewer:
    """401 for no token, a malformed or forged one, or an expired operator token; 403 for a
    genuine token that does not open the admin view (a share link of another role, a revoked
    owner link, an owner link of a deleted workshop)."""
    if token is None:
        raise Denied(401, "the admin view needs an operator token or a workshop owner's token")
    operator = operators.read(token)
    if operator is not None:
        if operator.expires_at <= now:
            expired = datetime.fromtimestamp(operator.expires_at, UTC).isoformat()
            raise Denied(401, f"the operator token of {operator.name} expired at {expired}")
        return AdminViewer(f"operator {operator.name}", None, operator.name)
    claims = access.tokens.read(token)
    if claims is None:
        raise Denied(401, "the token is not valid")
    try:
        granted = await access.workshop(claims.workshop_id, token)
    except Denied as exc:
        raise Denied(403, exc.reason) from None
    if granted.role != "owner":
        raise Denied(403, f"a share link of the {granted.role} role does not open the admin view")
    return AdminViewer(f"owner of {claims.workshop_id}", claims.workshop_id)
