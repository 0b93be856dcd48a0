"""Reading HTML forms and showing their errors beside the fields.

A form is read once (``FormDep``) into plain values; the route validates them with the same schema the JSON API
uses, and a ``pydantic.ValidationError`` or a ``ValidationFailed(field=...)`` from a service becomes a message per
field, in the reader's language. ``FORM_ERROR`` holds a message that belongs to no field.

The one idiom: ``except (ValidationError, DomainError) as exc: errors, status = form_errors(exc, session, locale)``
and render the form again with them (narrow the ``except`` to the errors the form shows). Two pages show a 404
on the form rather than as an error page and say so where they catch it: the API-token form (an unknown user)
and the removal of a calendar override (someone removed it meanwhile).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from app.db import discard_changes
from app.errors import DomainError, NotAuthenticated, NotFound
from app.i18n import _, text
from app.validation import input_message

FORM_ERROR = "__form__"
# Errors a form does not show: they are answered by the error pages (404, 401).
PAGE_ERRORS = (NotFound, NotAuthenticated)

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


def form_errors(exc: ValidationError | DomainError, session: Session, locale: str) -> tuple[Errors, int]:
    """The one way a failed form becomes its messages and its status: a pydantic error → 422, one message per
    field; a page error (404, 401) is raised again, for the error pages; any other domain error undoes whatever the
    service had flushed (nothing of a failed form is saved) and is shown beside its field, with its status."""
    if isinstance(exc, ValidationError):
        return validation_errors(exc, locale), 422
    if isinstance(exc, PAGE_ERRORS) and not exc.extra.get("field"):  # with a field: a reference typed wrong
        raise exc
    discard_changes(session)
    return domain_errors(exc, locale), exc.status_code
