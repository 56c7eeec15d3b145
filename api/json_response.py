"""Answers already shaped by the engine's views go out as JSON directly (no second validation pass)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Response


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status_code=status, headers=headers, media_type="application/json")
