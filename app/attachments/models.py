"""Documents on a case (product §11.1): what the staff read of them. The table and the public schema are in
``app/files/models.py`` (below the notices, which list a statement's public files)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from app.cases.models import UserRef

# --- schemas ------------------------------------------------------------------------------------------------


class AttachmentRead(SQLModel):
    """An attachment as the staff see it."""

    id: int
    case_reference: str
    statement_id: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    description: str | None
    public: bool
    created_at: datetime
    created_by: UserRef | None
    url: str  # the download, for whoever may see the case: /api/v1/attachments/{id}/content


class AttachmentPage(SQLModel):
    items: list[AttachmentRead]


class AttachmentPanel(SQLModel):
    """What the staff pages show of a case's (or a statement's) attachments, and what the reader may do."""

    items: list[AttachmentRead]
    may_attach: bool  # to the case (or, on a statement's page, to the statement)
    removable: list[int]  # the ids the reader may remove
