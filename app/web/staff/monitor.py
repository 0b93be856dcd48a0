"""Press monitoring pages under /staff/monitor: the overview (emerging issues with their charts, the latest matched
items), sources, watch terms, items with "open a case", and the morning digest (with its DOCX and the e-mail
subscription). The same service calls as ``app/web/api/monitor.py``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.auth.permissions import Actor, Permission, can
from app.cases.vocabulary import Topic
from app.crisis.models import CrisisIn
from app.crisis.paging import Paging
from app.crisis.rules import LEVEL_LABELS
from app.errors import Conflict, DomainError
from app.monitor import crisis as monitor_crisis
from app.monitor import digest as digests
from app.monitor import rules, service
from app.monitor.models import EmergingRead, SourceCreate, SourceUpdate, TermCreate
from app.org.service import list_units
from app.reports import charts
from app.timeutil import local_date
from app.web.deps import ActorDep, IdPath, NowDep, SessionDep, SettingsDep, get_locale
from app.web.staff.common import unit_groups
from app.web.staff.forms import FORM_ERROR, Errors, FormDep, Values, form_errors, form_values, non_empty
from app.web.templating import render

router = APIRouter(prefix="/monitor")


def _may_manage(actor: Actor) -> bool:
    return can(actor, Permission.MONITOR_MANAGE)


def emerging_panel(session: Session, *, actor: Actor, now: datetime, limit: int = 6) -> list[dict[str, Any]] | None:
    """The emerging topics (24 hours) with a small column chart of their last 14 days, for the dashboard and
    the overview; None for whoever may not read the monitoring."""
    if not can(actor, Permission.MONITOR_VIEW):
        return None
    rows = [e for e in digests.emerging(session, actor=actor, until=now, terms=False) if e.window == "24h"]
    return [_panel(e, now) for e in rows[:limit]]


def _panel(e: EmergingRead, now: datetime) -> dict[str, Any]:
    today = local_date(now)
    days = [(today - timedelta(days=len(e.series) - 1 - i)).strftime("%d/%m") for i in range(len(e.series))]
    chart = charts.column_chart(list(zip(days, e.series, strict=True)), width=260, height=90, max_x_labels=3)
    return {"e": e, "chart": chart, "flagged": e.count >= rules.EMERGING_MIN_COUNT and e.score >= rules.EMERGING_SCORE}


@router.get("")
def overview(request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> Response:
    items, _cursor = service.list_items(session, actor=actor, matched=True, limit=15)
    ctx = {"emerging": emerging_panel(session, actor=actor, now=now), "items": items,
           "sources": service.list_sources(session, actor=actor)}  # fmt: skip
    return render(request, "staff/monitor/index.html", ctx)


# --- sources ------------------------------------------------------------------------------------------------


def _sources_page(request: Request, session: Session, actor: Actor, *, values: Values | None = None,
                  errors: Errors | None = None, status_code: int = 200) -> Response:  # fmt: skip
    ctx = {"sources": service.list_sources(session, actor=actor), "can_manage": _may_manage(actor),
           "values": values or {"kind": "feed", "poll_minutes": "30"}, "errors": errors or {}}  # fmt: skip
    return render(request, "staff/monitor/sources.html", ctx, status_code=status_code)


@router.get("/sources")
def sources(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return _sources_page(request, session, actor)


@router.post("/sources")
def source_create(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    locale = get_locale(request)
    try:
        service.create_source(session, actor=actor, data=SourceCreate.model_validate(non_empty(values)), now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        return _sources_page(request, session, actor, values=values, errors=errors, status_code=status)
    return RedirectResponse("/staff/monitor/sources?done=source", status_code=303)


@router.post("/sources/{source_id}/toggle")
def source_toggle(session: SessionDep, actor: ActorDep, now: NowDep, source_id: IdPath) -> Response:
    current = service.get_source(session, actor=actor, source_id=source_id)
    service.update_source(session, actor=actor, source_id=source_id, data=SourceUpdate(enabled=not current.enabled),
                          now=now)  # fmt: skip
    return RedirectResponse(f"/staff/monitor/sources?done=source#source-{source_id}", status_code=303)


# --- terms --------------------------------------------------------------------------------------------------


def _terms_page(request: Request, session: Session, actor: Actor, *, values: Values | None = None,
                errors: Errors | None = None, status_code: int = 200) -> Response:  # fmt: skip
    ctx = {"terms": service.list_terms(session, actor=actor), "can_manage": _may_manage(actor),
           "values": values or {}, "errors": errors or {}, "unit_groups": unit_groups(list_units(session))}  # fmt: skip
    return render(request, "staff/monitor/terms.html", ctx, status_code=status_code)


@router.get("/terms")
def terms(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return _terms_page(request, session, actor)


@router.post("/terms")
def term_create(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    values = form_values(form)
    locale = get_locale(request)
    try:
        service.create_term(session, actor=actor, data=TermCreate.model_validate(non_empty(values)), now=now)
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, locale)
        return _terms_page(request, session, actor, values=values, errors=errors, status_code=status)
    return RedirectResponse("/staff/monitor/terms?done=term", status_code=303)


@router.post("/terms/{term_id}/delete")
def term_delete(session: SessionDep, actor: ActorDep, term_id: IdPath) -> Response:
    service.delete_term(session, actor=actor, term_id=term_id)
    return RedirectResponse("/staff/monitor/terms?done=term_deleted", status_code=303)


# --- items --------------------------------------------------------------------------------------------------


def _items_page(request: Request, session: Session, actor: Actor, *, error: str | None = None,
                status_code: int = 200) -> Response:  # fmt: skip
    params = request.query_params
    matched = {"true": True, "false": False}.get(params.get("matched", "true"))
    topic = params.get("topic") if params.get("topic") in {t.value for t in Topic} else None
    q = (params.get("q") or "")[:200]
    cluster = params.get("cluster", "")
    cursor = params.get("cursor", "")
    items, next_cursor = service.list_items(
        session, actor=actor, matched=matched, topic=Topic(topic) if topic else None, q=q or None,
        cluster_id=int(cluster) if cluster.isdigit() and len(cluster) < 10 else None,
        cursor=int(cursor) if cursor.isdigit() and len(cursor) < 10 else None, limit=50,
    )  # fmt: skip
    filters = {"matched": params.get("matched", "true"), "topic": topic or "", "q": q, "cluster": cluster}
    ctx = {"items": items, "next_cursor": next_cursor, "filters": filters, "error": error,
           "may_open": can(actor, Permission.CASE_CREATE), "may_declare": can(actor, Permission.CRISIS_DECLARE),
           "level_labels": LEVEL_LABELS}  # fmt: skip
    return render(request, "staff/monitor/items.html", ctx, status_code=status_code)


@router.get("/items")
def items(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    return _items_page(request, session, actor)


@router.post("/items/{item_id}/case")
def item_case(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, item_id: IdPath) -> Response:
    """One click: the item becomes a case, and the browser goes to it."""
    try:
        case = service.open_case_from_item(session, actor=actor, item_id=item_id, now=now)
    except Conflict as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _items_page(request, session, actor, error=errors[FORM_ERROR], status_code=status)
    return RedirectResponse(f"/staff/cases/{case.reference}?done=created", status_code=303)


@router.post("/items/{item_id}/crisis")
def item_crisis(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, settings: SettingsDep,
                item_id: IdPath, form: FormDep) -> Response:  # fmt: skip
    """Declare a crisis from the item (level and reason): its story becomes a case first when it is none yet; the
    browser goes to the war room."""
    values = form_values(form)
    try:
        data = CrisisIn.model_validate({"level": values.get("level") or None, "reason": values.get("reason", "")})
        _, reference, _new = monitor_crisis.declare_from_item(
            session, actor=actor, item_id=item_id, data=data, now=now, paging=Paging.from_settings(settings),
            locale=get_locale(request),
        )  # fmt: skip
    except (ValidationError, DomainError) as exc:
        errors, status = form_errors(exc, session, get_locale(request))
        return _items_page(request, session, actor, error="; ".join(errors.values()), status_code=status)
    return RedirectResponse(f"/staff/cases/{reference}/war-room", status_code=303)


# --- the digest ---------------------------------------------------------------------------------------------


@router.get("/digest")
def digest(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, settings: SettingsDep) -> Response:
    raw = request.query_params.get("date", "")
    error = None
    try:
        day = date.fromisoformat(raw) if raw else local_date(now)
    except ValueError:
        day, error = local_date(now), request.query_params.get("date")
    result = digests.digest(session, actor=actor, day=day, digest_time=rules.parse_clock(settings.digest_time))
    ctx = {"d": result, "bad_date": error, "subscribed": digests.is_subscribed(session, actor=actor),
           "previous": (day - timedelta(days=1)).isoformat(), "next": (day + timedelta(days=1)).isoformat(),
           "topics": [(t, [c for c in result.clusters if c.topic == t]) for t in [*Topic, None]]}  # fmt: skip
    return render(request, "staff/monitor/digest.html", ctx)


@router.post("/digest/subscription")
def subscription(request: Request, session: SessionDep, actor: ActorDep, now: NowDep, form: FormDep) -> Response:
    wanted = form.get("subscribed") == "true"
    digests.set_subscription(session, actor=actor, subscribed=wanted, now=now)
    return RedirectResponse(f"/staff/monitor/digest?done={'subscribed' if wanted else 'unsubscribed'}",
                            status_code=303)  # fmt: skip
