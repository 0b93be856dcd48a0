"""Every form of the deadline, statement, spokesperson and notification pages refuses a post without the session's
CSRF token (403 page), before anything else is looked at."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.staff.pages import login

POSTS = [
    "/staff/cases/VV-2026-00001/clocks/1/extend",
    "/staff/cases/VV-2026-00001/clocks/1/met",
    "/staff/cases/VV-2026-00001/tasks",
    "/staff/cases/VV-2026-00001/tasks/1/answer",
    "/staff/cases/VV-2026-00001/statements",
    "/staff/statements/1/versions",
    "/staff/statements/1/comments",
    "/staff/statements/1/submit",
    "/staff/statements/1/return",
    "/staff/statements/1/approve",
    "/staff/statements/1/publish",
    "/staff/cases/VV-2026-00001/authorisations",
    "/staff/authorisations/1/revoke",
    "/staff/spokespersons/appointments",
    "/staff/spokespersons/appointments/1/end",
    "/staff/notifications/1/read",
    "/staff/notifications/read-all",
    "/staff/admin/calendar/overrides",
    "/staff/admin/calendar/overrides/2026-12-05/delete",
    "/staff/admin/targets",
    "/staff/admin/targets/1",
    "/staff/admin/targets/1/deactivate",
]


@pytest.mark.parametrize("url", POSTS)
def test_a_post_without_the_csrf_token_is_refused(browser: TestClient, org: None, url: str) -> None:
    login(browser, "director")
    response = browser.post(url, data={"text": "x", "reason": "x"}, follow_redirects=False)
    assert response.status_code == 403 and "CSRF" in response.text
