"""Log-in for API clients (OAuth2 password form → bearer token), who am I, and admin-issued API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.auth.models import ApiTokenCreate, ApiTokenIssued, ApiTokenRead, TokenKind, TokenResponse
from app.auth.service import (
    authenticate,
    issue_api_token,
    issue_token,
    list_api_tokens,
    revoke_api_token,
    revoke_token,
)
from app.org.models import UserRead
from app.org.service import own_account
from app.web.deps import ActorDep, HasherDep, IdPath, NowDep, SessionDep, SettingsDep

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenResponse)
def login_for_token(
    session: SessionDep,
    settings: SettingsDep,
    hasher: HasherDep,
    now: NowDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> TokenResponse:
    """OAuth2 password flow: form fields ``username`` and ``password`` → ``{"access_token", "token_type"}``."""
    user = authenticate(
        session,
        username=username,
        password=password,
        hasher=hasher,
        allow_demo_password=settings.demo_passwords_allowed,
    )
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
    revoke_token(session, token=request.state.auth_token, now=now)


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
