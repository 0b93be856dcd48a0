"""The framework's ceiling for bench/public_read.py: a bare async FastAPI endpoint returning a small constant JSON
document, served by the same uvicorn (uvloop + httptools) with the same worker count as the service."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def ceiling() -> dict[str, str]:
    return {"status": "ok", "service": "ceiling"}
