"""A citizen's request as the law asks it to be made (Luật Tiếp cận thông tin 2016, Điều 24 khoản 2): who asks
(name, address, identity number, contact), what information, in what form, and why; and the receipt."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from app.i18n import Message, _
from app.validation import Clean, Name, OneLine


class DeliveryForm(StrEnum):
    EMAIL = "email"
    POST = "post"
    IN_PERSON = "in_person"


DELIVERY_FORM_LABELS: dict[DeliveryForm, Message] = {
    DeliveryForm.EMAIL: _("Qua thư điện tử"),
    DeliveryForm.POST: _("Qua dịch vụ bưu chính"),
    DeliveryForm.IN_PERSON: _("Nhận trực tiếp tại Sở"),
}

IdNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=20,
                                            pattern=r"^[0-9A-Za-z]+$")]  # fmt: skip
Contact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=200), Clean, OneLine]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300), Clean, OneLine]
Information = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=5000), Clean]
Purpose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000), Clean]


class InformationRequestCreate(BaseModel):
    requester_name: Name
    address: Address  # nơi cư trú
    id_number: IdNumber  # số CCCD / hộ chiếu
    contact: Contact  # phone or e-mail
    information: Information  # the documents or information asked for
    delivery_form: DeliveryForm = DeliveryForm.EMAIL
    purpose: Purpose


class InformationRequestReceipt(BaseModel):
    reference: str
    status: str = "received"
    received_at: datetime


class InformationRequestFigures(BaseModel):
    """The period's citizens' requests: received, answered, and each statutory clock's on-time count."""

    since: datetime
    until: datetime
    received: int
    answered: int
    open: int
    clocks: list[ClockFigure]


class ClockFigure(BaseModel):
    name: str
    basis: str
    met_on_time: int
    met_late: int
    missed: int
    running: int
    overdue: int


InformationRequestFigures.model_rebuild()
