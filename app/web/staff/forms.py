"""Reading HTML forms and showing their errors beside the fields.

A form is read once (``FormDep``) into plain values; the route validates them with the same schema the JSON API
uses, and a ``pydantic.ValidationError`` or a ``ValidationFailed(field=...)`` from a service becomes a message per
field, in the reader's language. ``FORM_ERROR`` holds a message that belongs to no field.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from app.errors import DomainError
from app.i18n import _, text
from app.timeutil import dmy_to_iso, local_midnight
from app.validation import input_message

FORM_ERROR = "__form__"

Values = dict[str, Any]
Errors = dict[str, str]


async def read_form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def form_values(form: FormData, *, multi: Iterable[str] = (), exclude: Iterable[str] = ("csrf_token",)) -> Values:
    """The form as a dict of stripped strings (lists for the ``multi`` fields); empty fields are kept as ""."""
    skip = set(exclude)
    multi = set(multi)
    values: Values = {}
    for key in form:
        if key in skip:
            continue
        if key in multi:
            values[key] = [v.strip() for v in form.getlist(key) if isinstance(v, str) and v.strip()]
        else:
            raw = form.get(key)
            values[key] = raw.strip() if isinstance(raw, str) else ""
    for key in multi:
        values.setdefault(key, [])
    return values


def non_empty(values: Values, *, keep_empty: Iterable[str] = ()) -> Values:
    """Drop empty single values (so that defaults apply and optional fields are None)."""
    keep = set(keep_empty)
    return {k: v for k, v in values.items() if k in keep or v != ""}


def split_list(value: str) -> list[str]:
    """``"a, b; c"`` → ``["a", "b", "c"]`` (tags, references typed in one field)."""
    return [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]


def iso_local(value: str) -> str:
    """A date (and time) typed as dd/mm/yyyy [HH:MM] (every date field of the pages is a text field in that form,
    whatever the browser's language) in ISO form; anything else unchanged."""
    return dmy_to_iso(value)


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(iso_local(value))
    except ValueError:
        return None


def local_day_start(value: str | None) -> datetime | None:
    day = parse_date(value)
    return local_midnight(day) if day else None


# --- errors -------------------------------------------------------------------------------------------------


def validation_errors(exc: ValidationError, locale: str) -> Errors:
    """One message per field (the first), from a pydantic error."""
    errors: Errors = {}
    for error in exc.errors():
        loc = [p for p in error.get("loc", ()) if isinstance(p, str)]
        field = loc[0] if loc else FORM_ERROR
        if field == FORM_ERROR:
            errors.setdefault(FORM_ERROR, text(input_message(error, "", form=True), locale))
            continue
        errors.setdefault(field, text(input_message(error, field, form=True), locale))
    return errors


def domain_errors(exc: DomainError, locale: str) -> Errors:
    """A service's error beside its field when it names one, else at the top of the form."""
    field = exc.extra.get("field")
    missing = exc.extra.get("missing")
    if isinstance(missing, list) and len(missing) > 1:
        # Several fields at once (the approval checklist): the whole message on top, each field marked.
        errors = {str(name): text(_("Chưa xác nhận mục này."), locale) for name in missing}
        return {FORM_ERROR: text(exc.message, locale), **errors}
    return {str(field) if field else FORM_ERROR: text(exc.message, locale)}


def discard_changes(session: Session) -> None:
    """A form is shown again with its errors: undo whatever the failed service call had flushed, so that the
    unit of work commits nothing of it."""
    session.rollback()
