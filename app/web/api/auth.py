"""Log-in for API clients (OAuth2 password form → bearer token), who am I, and admin-issued API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import JSONResponse

from app.auth import throttle
from app.auth.models import (
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenRead,
    LoginFailureRead,
    LoginLockRead,
    TokenKind,
    TokenResponse,
)
from app.auth.service import (
    issue_api_token,
    issue_token,
    list_api_tokens,
    revoke_api_token,
    revoke_token,
)
from app.errors import DomainError
from app.org.models import UserRead
from app.org.service import own_account
from app.web.deps import ActorDep, HasherDep, IdPath, NowDep, SessionDep, SettingsDep, client_ip
from app.web.errors import error_response

router = APIRouter(tags=["auth"])

Username = Annotated[str, Path(max_length=64)]


@router.post("/auth/token", response_model=TokenResponse)
def login_for_token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    hasher: HasherDep,
    now: NowDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> TokenResponse | JSONResponse:
    """OAuth2 password flow: form fields ``username`` and ``password`` → ``{"access_token", "token_type"}``.

    Throttled per account and per client address: after a few failures the next attempt must wait a growing
    delay, after many the account is locked for 15 minutes (an admin may lift it): ``429`` with ``Retry-After``."""
    user = throttle.log_in(session, username=username, password=password, client=client_ip(request), channel="api",
                           hasher=hasher, allow_demo_password=settings.demo_passwords_allowed, now=now)  # fmt: skip
    if isinstance(user, DomainError):
        # Answered, not raised: the unit of work commits the failure's count and its audit row.
        return error_response(request, user)
    raw, token = issue_token(
        session,
        user=user,
        kind=TokenKind.ACCESS,
        now=now,
        ttl=timedelta(hours=settings.access_token_ttl_hours),
    )
    return TokenResponse(access_token=raw, expires_at=token.expires_at)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> None:
    """Revoke the token (or session) this request came with."""
    revoke_token(session, token_id=request.state.auth_token_id, now=now)


@router.get("/me", response_model=UserRead)
def me(session: SessionDep, actor: ActorDep) -> UserRead:
    return own_account(session, actor=actor)


@router.get("/api-tokens", response_model=list[ApiTokenRead])
def api_tokens(session: SessionDep, actor: ActorDep) -> list[ApiTokenRead]:
    return list_api_tokens(session, actor=actor)


@router.post("/api-tokens", response_model=ApiTokenIssued, status_code=201)
def create_api_token(session: SessionDep, actor: ActorDep, now: NowDep, body: ApiTokenCreate) -> ApiTokenIssued:
    """Issue a long-lived token for an integration. The token is shown once; only its hash is kept."""
    return issue_api_token(
        session, actor=actor, username=body.username, name=body.name, expires_at=body.expires_at, now=now
    )


@router.delete("/api-tokens/{token_id}", response_model=ApiTokenRead)
def delete_api_token(session: SessionDep, actor: ActorDep, now: NowDep, token_id: IdPath) -> ApiTokenRead:
    return revoke_api_token(session, actor=actor, token_id=token_id, now=now)


# --- failed log-ins and locks (admins) ------------------------------------------------------------------------


@router.get("/login-failures", response_model=list[LoginFailureRead])
def login_failures(
    session: SessionDep,
    actor: ActorDep,
    username: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[LoginFailureRead]:
    """The audit log of failed log-ins (API and form), newest first: who was tried, from which address, why."""
    return throttle.list_failures(session, actor=actor, username=username, limit=limit)


@router.get("/users/{username}/login-lock", response_model=LoginLockRead)
def login_lock(session: SessionDep, actor: ActorDep, now: NowDep, username: Username) -> LoginLockRead:
    """The account's recent failed log-ins and its lock, if one runs."""
    return throttle.lock_status(session, actor=actor, username=username, now=now)


@router.delete("/users/{username}/login-lock", response_model=LoginLockRead)
def lift_login_lock(session: SessionDep, actor: ActorDep, now: NowDep, username: Username) -> LoginLockRead:
    """Lift the account's log-in lock and forget its failures (the audit log keeps them)."""
    return throttle.lift_lock(session, actor=actor, username=username, now=now)
