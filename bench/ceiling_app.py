"""The framework's ceiling for bench/public_read.py: a bare async FastAPI endpoint returning a small constant JSON
document, served by the same uvicorn (uvloop + httptools) with the same worker count as the service. It answers
any path (behind nginx the bench asks it for the measure's own path, so that nginx treats both alike)."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/{path:path}")
async def ceiling(path: str) -> dict[str, str]:  # noqa: ARG001
    return {"status": "ok", "service": "ceiling"}
