"""The case page, assembled from every domain's read functions: summary, clocks (with what the reader may do with
each), tasks, statements (with the actions allowed now), spokesperson authority, timeline, notes and the case's
own actions.

Every form on the page posts to its own route; a form that fails shows the page again with the message beside its
fields (``FailedForm``) and, for a race lost to another user (409), a clear message at the top instead of an
error page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from app.answer_templates import service as answer_templates
from app.attachments import service as attachments
from app.auth.permissions import Actor, Permission, can
from app.cases.editing import assignable_users, editable_fields
from app.cases.events import list_events
from app.cases.models import Case
from app.cases.reads import case_read
from app.cases.scope import scope_of
from app.cases.workflow import Action, CloseReason, close_reasons_for
from app.clocks import queries as clock_queries
from app.errors import DomainError
from app.i18n import _, text
from app.inquiries import service as inquiries
from app.monitor import service as monitor
from app.org.service import full_names, list_units
from app.spokespersons import queries as spokesperson_queries
from app.spokespersons import service as spokespersons
from app.statements import queries as statement_queries
from app.statements.rules import StatementKind
from app.tasks import service as tasks
from app.web.deps import get_locale
from app.web.staff.common import unit_groups
from app.web.staff.forms import FORM_ERROR, Errors, Values, form_errors
from app.web.templating import render

# Errors that are a page of their own (the case is not visible, the session is gone), never a form's message.


@dataclass
class FailedForm:
    """A form of the page that failed: which one, what was typed, and the messages beside its fields."""

    key: str
    values: Values = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)


def failure(
    request: Request,
    session: Session,
    exc: ValidationError | DomainError,
    *,
    key: str,
    values: Values,
    field_names: dict[str, str] | None = None,
) -> tuple[FailedForm, str | None, int]:
    """A failed form's messages: beside their fields, or one message for the page (a lost race says so).

    A domain error undoes whatever the service had flushed (nothing of a failed form is saved); a page error
    (404, 401) is raised again, to be answered by the error pages."""
    locale = get_locale(request)
    errors, status = form_errors(exc, session, locale)
    for name, shown in (field_names or {}).items():
        if name in errors:
            errors[shown] = errors.pop(name)
    message = errors.pop(FORM_ERROR, None)
    if message is not None and status == 409 and isinstance(exc, DomainError):
        message = text(_("Không thực hiện được thao tác: {reason}", reason=exc.message), locale)
    return FailedForm(key, values, errors), message, status


def case_page(
    request: Request,
    session: Session,
    actor: Actor,
    case: Case,
    now: datetime,
    *,
    message: str | None = None,
    failed: FailedForm | None = None,
    open_action: str | None = None,
    action_values: Values | None = None,
    errors: Errors | None = None,
    note_value: str = "",
    status_code: int = 200,
) -> Response:
    locale = get_locale(request)
    read = case_read(session, actor=actor, case=case, now=now)
    scope = scope_of(session, case)
    editable = editable_fields(session, actor=actor, case=case)
    needs_units = bool({Action.ASSIGN, Action.REASSIGN} & set(read.allowed_actions))
    needs_people = Action.ACCEPT in read.allowed_actions and "assignees" in editable
    units = list_units(session)

    case_clocks = clock_queries.list_clocks(session, actor=actor, reference=case.reference, now=now, locale=locale)
    case_tasks = tasks.list_tasks(session, actor=actor, reference=case.reference, now=now)
    may_create_task, answerable = tasks.task_actions(session, actor=actor, case=case)
    case_statements = statement_queries.list_statements(session, actor=actor, case=case)
    summaries = statement_queries.statement_summaries(session, case=case, statements=case_statements)
    statement_actions = {
        s.id: statement_queries.allowed_actions(session, actor=actor, statement=s, case=case, scope=scope, now=now)
        for s in case_statements
    }
    groups = [(kind, [s for s in summaries if s.kind == kind]) for kind in StatementKind]
    may_authorise = can(actor, Permission.SPOKESPERSON_AUTHORISE, scope)
    grants = spokespersons.list_authorisations(session, actor=actor, case=case)
    events = list_events(session, case=case)
    drafting = statement_queries.drafting_options(session, actor=actor, case=case)
    named = {u for e in events for u in (e.data or {}).get("assignees") or () if isinstance(u, str)}
    ctx = {
        "case": read,
        "events": events,
        "names_by_username": full_names(session, named),
        "editable": editable,
        "can_note": can(actor, Permission.CASE_NOTE, scope),
        "close_reasons": close_reasons_for(read.status),
        "close_note_required": CloseReason.ANSWERED not in close_reasons_for(read.status),
        "unit_groups": unit_groups(units) if needs_units else [],
        "units_by_code": {u.code: u for u in list_units(session, include_inactive=True)},
        "people": assignable_users(session, actor=actor, case=case) if needs_people else [],
        "message": message,
        "open_action": open_action,
        "action_values": action_values or {},
        "errors": errors or {},
        "note_value": note_value,
        "failed": failed,
        "clocks": case_clocks,
        "clock_actions": clock_queries.clock_actions(session, actor=actor, case=case, clocks=case_clocks),
        "tasks": case_tasks,
        "may_create_task": may_create_task,
        "answerable": answerable,
        "task_unit_groups": unit_groups(units) if may_create_task else [],
        "statements": summaries,
        "statement_groups": [(kind, group) for kind, group in groups if group],
        "statement_actions": statement_actions,
        "drafting": drafting,
        "authority": spokespersons.authority_for(session, actor=actor, case=case, at=now),
        "authorisations": spokespersons.authorisation_reads(session, grants, case=case, now=now),
        "may_authorise": may_authorise,
        "inquiries": inquiries.inquiry_reads(
            session, inquiries.case_inquiries(session, actor=actor, case=case), now=now
        ),
        "may_link_inquiries": can(actor, Permission.CASE_TRIAGE),
        "authorisable": spokesperson_queries.authorisable_users(session, case=case) if may_authorise else [],
        "attachments": attachments.panel(session, actor=actor, case=case),
        "max_upload_mb": request.app.state.settings.max_upload_mb,
        "templates": answer_templates.drafting_choices(session, actor=actor, case=case, kinds=drafting.kinds),
    }
    ctx["coverage"] = monitor.case_coverage(session, actor=actor, case=case)  # the story it was opened from
    return render(request, "staff/cases/detail.html", ctx, status_code=status_code)
