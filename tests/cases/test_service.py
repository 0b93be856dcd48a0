"""The cases' use cases called directly (no HTTP): the two ways a case is born, the access scope, the history's
typed kinds and listeners, and ``update_case`` writing only what changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app.cases import service
from app.cases.events import list_events
from app.cases.models import CaseEvent, CaseUpdate
from app.cases.reads import case_read
from app.cases.scope import get_case, scope_of
from app.cases.vocabulary import EVENT_KIND_LABELS, CaseEventKind, SourceKind
from app.cases.workflow import CaseStatus
from app.errors import NotFound
from tests.conftest import FIXED_NOW
from tests.factories import actor, make_case, standard_org


@pytest.fixture
def org(session: Session) -> None:
    standard_org(session, FIXED_NOW)


def _kinds(session: Session, case_id: int | None) -> list[str]:
    rows = session.exec(select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id)))
    return [str(kind) for kind in rows.all()]


class TestBirth:
    def test_staff_intake_and_a_reporters_inquiry_get_consecutive_references(self, session: Session, org: None) -> None:
        first = make_case(session, by="office", now=FIXED_NOW)
        second = service.open_case_from_inquiry(session, title="Câu hỏi về học phí", summary="Phóng viên hỏi.",
                                                outlet="Báo Tuổi Trẻ", reporter_name="Nguyễn Văn An",
                                                reporter_contact="an@example.vn", now=FIXED_NOW)  # fmt: skip
        assert (first.ref_year, second.ref_seq) == (2026, first.ref_seq + 1)
        assert second.reference == f"VV-2026-{first.ref_seq + 1:05d}"
        for case in (first, second):
            assert (case.status, case.status_changed_at, case.created_at) == (CaseStatus.NEW, FIXED_NOW, FIXED_NOW)
            assert case.search_text
            assert _kinds(session, case.id) == [CaseEventKind.CREATED]
        assert second.source_kind == SourceKind.PRESS_INQUIRY and second.created_by_id is None


class TestScope:
    def test_a_case_outside_the_actors_units_is_not_found(self, session: Session, org: None) -> None:
        case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH")
        assert get_case(session, actor=actor(session, "handler"), reference=case.reference.lower()).id == case.id
        with pytest.raises(NotFound):
            get_case(session, actor=actor(session, "handler2"), reference=case.reference)
        assert scope_of(session, case).lead_unit_id == case.lead_unit_id


class TestHistory:
    def test_every_kind_has_a_label_and_the_stored_value_stays_readable(self, session: Session, org: None) -> None:
        assert set(EVENT_KIND_LABELS) == set(CaseEventKind)
        case = make_case(session, by="office", now=FIXED_NOW)
        service.add_note(session, actor=actor(session, "office"), case=case, text="Đã gọi.", now=FIXED_NOW)
        [created, note] = list_events(session, case=case)
        assert (created.kind, note.kind) == ("created", "note")  # the codes as stored before the enum


class TestUpdate:
    def test_resending_unchanged_values_changes_nothing_and_records_nothing(self, session: Session, org: None) -> None:
        office = actor(session, "office")
        case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH", tags=["thi-cu"])
        later = FIXED_NOW + timedelta(hours=1)
        same = CaseUpdate(tags=["THI-CU"], title=case.title, received_at=case.received_at)
        service.update_case(session, actor=office, case=case, data=same, now=later)
        assert _kinds(session, case.id) == [CaseEventKind.CREATED]
        assert case.updated_at == FIXED_NOW

    def test_only_the_changed_fields_are_logged(self, session: Session, org: None) -> None:
        office = actor(session, "office")
        case = make_case(session, by="office", now=FIXED_NOW, lead_unit="GDTrH", tags=["thi-cu"])
        data = CaseUpdate(tags=["thi-cu"], title="Tiêu đề mới")
        service.update_case(session, actor=office, case=case, data=data, now=FIXED_NOW + timedelta(hours=1))
        [_created, updated] = list_events(session, case=case)
        assert updated.kind == CaseEventKind.UPDATED
        assert updated.data is not None and set(updated.data["changes"]) == {"title"}
        assert case_read(session, actor=office, case=case).title == "Tiêu đề mới"
