"""Errors under /staff as pages: 401 sends the browser to the log-in form (with the page to come back to, and a
message when the session has expired); the others render ``errors/<status>.html`` (or ``errors/error.html``).

Forms handle their own 409/422 (they are shown again with the message); what reaches this renderer is a page
that cannot be shown at all.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.web.templating import TEMPLATES_DIR, render


def is_staff_path(path: str) -> bool:
    return path == "/staff" or path.startswith("/staff/")


def login_redirect(request: Request) -> Response:
    settings = request.app.state.settings
    had_session = bool(request.cookies.get(settings.session_cookie_name))
    next_url = "/staff/"
    if request.method in ("GET", "HEAD"):
        next_url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    params = {"next": next_url}
    if had_session:
        params["expired"] = "1"
    response = RedirectResponse(f"/staff/login?{urlencode(params)}", status_code=303)
    if had_session:
        response.delete_cookie(settings.session_cookie_name, path="/")
    return response


async def render_staff_error(request: Request, status: int, message: str) -> Response | None:
    if not is_staff_path(request.url.path):
        return None
    if status == 401:
        return login_redirect(request)
    name = f"errors/{status}.html"
    if not (Path(TEMPLATES_DIR) / name).exists():
        name = "errors/error.html"
    return render(request, name, {"status": status, "message": message}, status_code=status)
