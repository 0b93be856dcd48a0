"""The organisation: units (a tree of kinds), users and their role grants per unit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import EmailStr
from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.auth.permissions import Role
from app.db import StrEnumType, UTCDateTime
from app.i18n import Message, _
from app.validation import Code, LocaleCode, Name, Phone, ShortText, Username


class EmailFrequency(StrEnum):
    """How a user wants their notifications by e-mail (their settings page)."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    OFF = "off"


EMAIL_FREQUENCY_LABELS: dict[EmailFrequency, Message] = {
    EmailFrequency.IMMEDIATE: _("Gửi ngay từng tin"),
    EmailFrequency.DAILY: _("Một thư tổng hợp mỗi ngày"),
    EmailFrequency.OFF: _("Không gửi thư"),
}


class UnitKind(StrEnum):
    OFFICE = "office"
    DIVISION = "division"
    INSPECTORATE = "inspectorate"
    AFFILIATED = "affiliated"
    COMMUNE = "commune"
    SCHOOL = "school"


UNIT_KIND_LABELS: dict[UnitKind, Message] = {
    UnitKind.OFFICE: _("Văn phòng Sở"),
    UnitKind.DIVISION: _("Phòng chuyên môn, nghiệp vụ"),
    UnitKind.INSPECTORATE: _("Thanh tra"),
    UnitKind.AFFILIATED: _("Đơn vị trực thuộc"),
    UnitKind.COMMUNE: _("Phòng Văn hóa - Xã hội cấp xã"),
    UnitKind.SCHOOL: _("Cơ sở giáo dục"),
}


class UnitBase(SQLModel):
    code: Code = Field(unique=True, index=True, max_length=40)
    name: Name = Field(max_length=200)
    name_en: Name | None = Field(default=None, max_length=200)
    kind: UnitKind = Field(sa_type=StrEnumType(UnitKind))
    contact_name: Name | None = Field(default=None, max_length=200)
    contact_title: ShortText | None = Field(default=None, max_length=200)
    contact_phone: Phone | None = Field(default=None, max_length=40)
    contact_email: EmailStr | None = Field(default=None, max_length=254)


class Unit(UnitBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("unit.id"), index=True))
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)


class UnitCreate(UnitBase):
    parent: Code | None = None


class UnitUpdate(SQLModel):
    name: Name | None = None
    name_en: Name | None = None
    kind: UnitKind | None = None
    parent: Code | None = None
    contact_name: Name | None = None
    contact_title: ShortText | None = None
    contact_phone: Phone | None = None
    contact_email: EmailStr | None = Field(default=None, max_length=254)
    active: bool | None = None


class UnitRead(UnitBase):
    id: int
    parent: str | None = None
    active: bool


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: Username = Field(unique=True, index=True, max_length=64)
    full_name: Name = Field(max_length=200)
    title: ShortText = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: Phone | None = Field(default=None, max_length=40)
    password_hash: str = Field(max_length=255)
    locale: str = Field(default="vi", max_length=5)
    # E-mail of the notifications: each at once, one message a day, or none (the user's settings page).
    email_frequency: EmailFrequency = Field(default=EmailFrequency.IMMEDIATE, sa_type=StrEnumType(EmailFrequency))
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)


class RoleAssignment(SQLModel, table=True):
    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: Role = Field(sa_type=StrEnumType(Role))
    unit_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("unit.id"), index=True))


class GrantIn(SQLModel):
    role: Role
    unit: Code | None = None


class GrantRead(SQLModel):
    role: Role
    unit: str | None = None


class UserCreate(SQLModel):
    username: Username
    full_name: Name
    password: str = Field(min_length=8, max_length=256)
    title: ShortText = ""
    email: EmailStr | None = Field(default=None, max_length=254)
    phone: Phone | None = None
    locale: LocaleCode = "vi"
    roles: list[GrantIn] = Field(default_factory=list, max_length=20)


class UserUpdate(SQLModel):
    full_name: Name | None = None
    title: ShortText | None = None
    email: EmailStr | None = Field(default=None, max_length=254)
    phone: Phone | None = None
    locale: LocaleCode | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)
    roles: list[GrantIn] | None = Field(default=None, max_length=20)


class UserRead(SQLModel):
    id: int
    username: str
    full_name: str
    title: str
    email: str | None
    phone: str | None
    locale: str
    active: bool
    roles: list[GrantRead]


class OwnSettings(SQLModel):
    """What every user may change about themselves."""

    locale: LocaleCode | None = None
    email_frequency: EmailFrequency | None = None  # e-mail of the notifications: immediate, daily or off


class PasswordChange(SQLModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=8, max_length=256)
