"""Spokesperson authority on record: standing-spokesperson appointments and per-case written authorisations.

Both are kept forever: an appointment is ended (replaced or ended by the director), an authorisation expires or is
revoked; neither is deleted, so any past approval can be checked against the record of its moment.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import EmailStr, StrictBool
from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, Text, false
from sqlmodel import Field, SQLModel

from app.cases.models import UserRef
from app.db import UTCDateTime
from app.spokespersons.rules import Capacity
from app.validation import Name, Note, OptionalTimestamp, Phone, ShortText, Username


class SpokespersonAppointment(SQLModel, table=True):
    """The director's decision giving someone the task of standing spokesperson (Decree 244/2026 Art. 3.2.b)."""

    __tablename__ = "spokesperson_appointment"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False, index=True))
    title: str = Field(max_length=200)
    phone: str = Field(max_length=40)
    email: str = Field(max_length=254)
    decision_number: str = Field(max_length=200)
    decision_date: date = Field(sa_column=Column(Date, nullable=False))
    valid_from: datetime = Field(sa_type=UTCDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    end_note: str | None = Field(default=None, sa_column=Column(Text))
    appointed_by_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)


class SpokespersonAuthorisation(SQLModel, table=True):
    """The director's written authorisation of one person to speak on one case until an end date."""

    __tablename__ = "spokesperson_authorisation"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False, index=True))
    title: str = Field(max_length=200)
    number: str = Field(max_length=200)
    signed_on: date = Field(sa_column=Column(Date, nullable=False))
    matters: str | None = Field(default=None, sa_column=Column(Text))
    deputy: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    valid_from: datetime = Field(sa_type=UTCDateTime)
    valid_until: datetime = Field(sa_type=UTCDateTime)
    granted_by_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    revoke_reason: str | None = Field(default=None, sa_column=Column(Text))


# --- schemas ------------------------------------------------------------------------------------------------


class AppointmentCreate(SQLModel):
    username: Username
    title: Name
    phone: Phone
    email: EmailStr = Field(max_length=254)
    decision_number: Name
    decision_date: date
    valid_from: OptionalTimestamp = None  # defaults to now; never in the past
    valid_until: date | None = None  # last day in force (inclusive, local time)


class AppointmentEnd(SQLModel):
    note: Note | None = None


class ContactsDuty(SQLModel):
    """D9 (Decree 244/2026 Art. 3.3): the new standing spokesperson's contacts on the portal within 24 hours."""

    key: str
    name: str
    basis: str
    appointed_at: datetime  # when the appointment took effect (the clock starts)
    due_at: datetime
    posted_at: datetime | None  # when the public registry showed the contacts (None: not yet)
    state: str  # "met_on_time", "met_late", "running", "overdue"


class AppointmentRead(SQLModel):
    id: int
    person: UserRef
    title: str
    phone: str
    email: str
    decision_number: str
    decision_date: date
    valid_from: datetime
    valid_until: datetime | None
    ended_at: datetime | None
    end_note: str | None
    appointed_by: UserRef | None
    ended_by: UserRef | None
    created_at: datetime
    in_force: bool
    contacts_posted: ContactsDuty | None = None  # D9; None where the rule pack in force has no such duty


class AppointmentPage(SQLModel):
    items: list[AppointmentRead]


class AuthorisationCreate(SQLModel):
    username: Username
    number: Name
    signed_on: date
    valid_until: date  # the end date written in the authorisation (inclusive, local time)
    valid_from: OptionalTimestamp = None  # defaults to now; never in the past
    title: ShortText | None = None  # the person's title as the authorisation names it; defaults to the account's
    matters: Note | None = None  # the specific matters authorised
    deputy: StrictBool = False  # the person is a deputy director (cấp phó): required for a case under Decree 09/2017


class AuthorisationRevoke(SQLModel):
    reason: Note


class AuthorisationRead(SQLModel):
    id: int
    case_reference: str
    person: UserRef
    title: str
    number: str
    signed_on: date
    matters: str | None
    deputy: bool
    valid_from: datetime
    valid_until: datetime
    granted_by: UserRef | None
    created_at: datetime
    revoked_at: datetime | None
    revoked_by: UserRef | None
    revoke_reason: str | None
    in_force: bool


class AuthorisationPage(SQLModel):
    items: list[AuthorisationRead]


class SpokespersonPublic(SQLModel):
    """One line of the public registry (Decree 244/2026 Art. 3.3): nothing else about the person."""

    name: str
    title: str
    phone: str | None
    email: str | None
    capacity: Capacity
    since: datetime | None


class SpokespersonPage(SQLModel):
    items: list[SpokespersonPublic]
