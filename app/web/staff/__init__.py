"""The staff web interface under /staff (server-rendered, Jinja2)."""

from fastapi import APIRouter

from app.web.staff import session

router = APIRouter(prefix="/staff", include_in_schema=False)
router.include_router(session.router)
