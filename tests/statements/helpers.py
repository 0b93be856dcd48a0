"""Shared by the statement tests: a small API client that logs each user in once."""

from __future__ import annotations

from typing import Any

import httpx
from httpx import Response

from tests.factories import token

CHECKLIST: dict[str, Any] = {
    "checklist": {"no_state_secret": True, "no_private_data": True, "no_pending_proceedings": True}
}


class Api:
    def __init__(self, client: httpx.Client) -> None:  # a TestClient, or a real server's client
        self.client = client
        self._tokens: dict[str, dict[str, str]] = {}

    def headers(self, who: str) -> dict[str, str]:
        if who not in self._tokens:
            self._tokens[who] = token(self.client, who)
        return self._tokens[who]

    def relogin(self) -> None:
        """Forget the tokens (after moving the test clock past their lifetime)."""
        self._tokens.clear()

    def get(self, path: str, who: str, **kwargs: Any) -> Response:
        return self.client.get(path, headers=self.headers(who), **kwargs)

    def post(self, path: str, who: str, json: Any = None) -> Response:
        return self.client.post(path, headers=self.headers(who), json=json)

    def ok(self, response: Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    # the approval path, each step asserted
    def draft(self, reference: str, who: str = "handler", kind: str = "response", text: str = "Nội dung trả lời.",
              **extra: Any) -> dict[str, Any]:  # fmt: skip
        return self.ok(self.post(f"/api/v1/cases/{reference}/statements", who, {"kind": kind, "text": text, **extra}),
                       201)  # fmt: skip

    def version(self, sid: int, text: str, who: str = "handler", **extra: Any) -> dict[str, Any]:
        return self.ok(self.post(f"/api/v1/statements/{sid}/versions", who, {"text": text, **extra}), 201)

    def submit(self, sid: int, who: str = "head") -> dict[str, Any]:
        return self.ok(self.post(f"/api/v1/statements/{sid}/submit", who))

    def approve(self, sid: int, who: str = "spokesperson") -> dict[str, Any]:
        return self.ok(self.post(f"/api/v1/statements/{sid}/approve", who, CHECKLIST))

    def publish(self, sid: int, who: str = "office", **body: Any) -> dict[str, Any]:
        return self.ok(self.post(f"/api/v1/statements/{sid}/publish", who, body or None))

    def published(self, reference: str, *, kind: str = "response", text: str = "Nội dung trả lời.",
                  submitter: str = "head", **extra: Any) -> dict[str, Any]:  # fmt: skip
        statement = self.draft(reference, kind=kind, text=text, **extra)
        self.submit(statement["id"], submitter)
        self.approve(statement["id"])
        return self.publish(statement["id"])

    def events(self, reference: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.ok(self.get(f"/api/v1/cases/{reference}/events", "office"))["items"]
        return items

    def case(self, reference: str) -> dict[str, Any]:
        return self.ok(self.get(f"/api/v1/cases/{reference}", "office"))
