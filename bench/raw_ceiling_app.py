"""The raw ceiling for bench/public_read.py: a bare ASGI callable (no FastAPI, no Starlette) answering each request
with constant bytes, served by the same uvicorn (uvloop + httptools) with the same worker count as the service.
What uvicorn itself costs on this machine: nothing can answer faster through it.

By default every request gets one small JSON document. With ``RAW_CEILING_RESPONSES`` naming a JSON file
(``{"<path?query>": [status, [[name, value], …], "<body, base64>"], "<path?query> If-None-Match": […]}``, written
by the bench from the service's own answers) it answers each path with those exact bytes — the same status,
headers and body as the service sends — so that the ratio to it counts only what the application adds, not the
size of what is sent."""

import base64
import json
import os
from typing import Any

BODY = b'{"status":"ok","service":"raw-ceiling"}'
Answer = tuple[dict[str, Any], dict[str, Any]]
SMALL: Answer = (
    {"type": "http.response.start", "status": 200,
     "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]},
    {"type": "http.response.body", "body": BODY},
)  # fmt: skip


def _load(path: str | None) -> dict[str, Answer]:
    if not path:
        return {}
    answers = {}
    for key, (status, headers, body) in json.loads(open(path).read()).items():  # noqa: SIM115
        start = {"type": "http.response.start", "status": status,
                 "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]}  # fmt: skip
        answers[key] = (start, {"type": "http.response.body", "body": base64.b64decode(body)})
    return answers


ANSWERS = _load(os.environ.get("RAW_CEILING_RESPONSES"))


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    answer = SMALL
    if ANSWERS:
        key = scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            key += "?" + scope["query_string"].decode("latin-1")
        for name, _value in scope["headers"]:
            if name == b"if-none-match":
                key += " If-None-Match"
        answer = ANSWERS.get(key, SMALL)
    await send(answer[0])
    await send(answer[1])
