"""API keys: issued once in clear, stored as hashes, checked on every call."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from engine.domain.errors import Forbidden, InvalidData, NotFound, Unauthorized
from engine.service.ports import ApiKey, UnitOfWork

SCOPES = frozenset({"orders:write", "orders:read", "admin"})
ADMIN_ACCOUNT = "admin"
ACCOUNT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # fits the 64-character column everywhere


@dataclass(frozen=True)
class Caller:
    account_id: str
    key_id: str
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"this key lacks the scope {scope!r}", scope=scope)


@dataclass(frozen=True)
class IssuedKey:
    id: str
    key: str
    account_id: str
    scopes: frozenset[str]


def hash_key(raw: str) -> str:
    # Keys carry 256 random bits, so a fast hash is safe here and keeps every request cheap.
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_key(
    uow: UnitOfWork, *, account_id: str, scopes: frozenset[str], now: datetime, raw: str | None = None
) -> IssuedKey:
    """Create the account if new and a key for it; the clear key is returned only here."""
    if not ACCOUNT_ID.fullmatch(account_id):
        raise InvalidData(
            f"account must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit; "
            f"got {account_id[:70]!r}",
            field="path.account",
        )
    unknown = scopes - SCOPES
    if unknown or not scopes:
        raise InvalidData(
            f"scopes must be a non-empty subset of {sorted(SCOPES)}; got {sorted(scopes)}", field="scopes"
        )
    raw = raw or f"pe_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        id=f"key_{secrets.token_hex(8)}",
        account_id=account_id,
        key_hash=hash_key(raw),
        scopes=scopes,
        created_at=now,
    )
    uow.accounts.ensure(account_id, now)
    uow.accounts.add_key(key)
    uow.commit()
    return IssuedKey(key.id, raw, account_id, scopes)


def ensure_bootstrap_key(uow: UnitOfWork, raw: str, *, now: datetime) -> None:
    """Make ``raw`` a live admin key (idempotent across restarts)."""
    existing = uow.accounts.key_by_hash(hash_key(raw))
    if existing is not None and existing.revoked_at is None:
        return
    if existing is not None:
        return  # revoked on purpose: restarting must not bring it back
    issue_key(uow, account_id=ADMIN_ACCOUNT, scopes=frozenset({"admin"}), now=now, raw=raw)


def authenticate(uow: UnitOfWork, raw: str | None) -> Caller:
    if not raw:
        raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
    key = uow.accounts.key_by_hash(hash_key(raw))
    if key is None or key.revoked_at is not None:
        raise Unauthorized("unknown or revoked API key")
    return Caller(key.account_id, key.id, key.scopes)


def revoke_key(uow: UnitOfWork, key_id: str, *, now: datetime) -> None:
    if not uow.accounts.revoke_key(key_id, now):
        raise NotFound(f"no key with id {key_id!r}")
    uow.commit()
