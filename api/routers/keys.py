"""API keys, issued and revoked by admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from api.deps import Admin, EngineDep
from api.schemas import KeyCreate, KeyIssued
from engine.service.access import ACCOUNT_ID

router = APIRouter(prefix="/v1", tags=["keys"])


@router.post("/accounts/{account}/keys", status_code=status.HTTP_201_CREATED, response_model=KeyIssued)
def create_key(
    account: Annotated[str, Path(pattern=f"^{ACCOUNT_ID.pattern}$")],
    body: KeyCreate,
    _: Admin,
    engine: EngineDep,
) -> dict[str, Any]:
    """Issue a key for the account (created if new). The key is in this answer only."""
    issued = engine.issue_key(account, frozenset(body.scopes))
    return {"id": issued.id, "key": issued.key, "account": issued.account_id, "scopes": sorted(issued.scopes)}


@router.delete("/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(key_id: Annotated[str, Path(max_length=40)], _: Admin, engine: EngineDep) -> Response:
    """Revoke a key at once; revoking twice is harmless."""
    engine.revoke_key(key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
