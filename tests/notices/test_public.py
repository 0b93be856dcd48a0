"""What the public side reads: published notices only, filtered and paged; public schemas pinned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.errors import NotFound, ValidationFailed
from app.files.models import AttachmentPublic
from app.notices.models import NoticePublic, NoticeRef, PressItem, RefusalPublic, SpokespersonOnNotice
from app.notices.service import NoticeFilters, get_published, list_published
from tests.conftest import FIXED_NOW, Clock
from tests.factories import appoint_spokesperson, case_in_progress, standard_org
from tests.statements.helpers import Api


@pytest.fixture
def api(client: TestClient, session: Session) -> Api:
    standard_org(session, FIXED_NOW)
    appoint_spokesperson(session, now=FIXED_NOW)
    return Api(client)


def test_public_schemas_are_pinned() -> None:
    assert set(NoticePublic.model_fields) == {
        "number", "slug", "notice_type", "year", "kind", "title", "text", "text_sha256", "published_at",
        "spokesperson", "case_reference", "topic", "answers", "refusal", "corrects", "withdraws", "withdrawn",
        "withdrawn_by", "corrected_by", "history", "attachments",
    }  # fmt: skip
    assert set(AttachmentPublic.model_fields) == {"filename", "url", "size", "sha256", "content_type"}
    assert set(NoticeRef.model_fields) == {"number", "slug", "kind", "published_at"}
    assert set(SpokespersonOnNotice.model_fields) == {"name", "title", "capacity"}
    assert set(PressItem.model_fields) == {"outlet", "url", "published_at"}
    assert set(RefusalPublic.model_fields) == {"ground", "basis", "reason"}


def test_only_published_text_nothing_internal(api: Api, session: Session, clock: Clock) -> None:
    ref = case_in_progress(session, now=FIXED_NOW, outlet="VnExpress").reference
    draft = api.draft(ref, kind="initial_information", text="Dự thảo nội bộ.")
    api.version(draft["id"], "Dự thảo nội bộ, bản 2.")
    approved = api.draft(ref, text="Đã duyệt, chưa công bố.")
    api.submit(approved["id"])
    api.approve(approved["id"])
    assert list_published(session, clock.now) == ([], None)
    api.ok(api.post(f"/api/v1/statements/{draft['id']}/comments", "office", {"text": "Ghi chú nội bộ"}), 201)
    notice = api.publish(approved["id"])
    items, cursor = list_published(session, clock.now)
    assert cursor is None and [n.number for n in items] == [notice["number"]]
    dumped = items[0].model_dump_json()
    for secret in ("Dự thảo nội bộ", "Ghi chú nội bộ", "handler", "head", "Trần Minh Quân"):
        assert secret not in dumped
    assert items[0].text == "Đã duyệt, chưa công bố."
    assert items[0].answers == PressItem(outlet="VnExpress", url=None, published_at=None)


def test_filters_search_and_pages(api: Api, session: Session, clock: Clock) -> None:
    quality = case_in_progress(session, now=FIXED_NOW, topic="education_quality", outlet="Báo Tuổi Trẻ").reference
    tuition = case_in_progress(session, now=FIXED_NOW, topic="facilities_finance_tuition",
                               outlet="Báo Thanh Niên").reference  # fmt: skip
    numbers = []
    for i in range(5):
        numbers.append(api.published(quality, kind="initial_information", text=f"Cập nhật kỳ thi lần {i}.")["number"])
        clock.advance(minutes=10)
    numbers.append(api.published(tuition, text="Học phí năm học mới giữ nguyên.")["number"])
    newest_first = list(reversed(numbers))

    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = list_published(session, clock.now, cursor=cursor, limit=2)
        seen += [n.number for n in page]
        if cursor is None:
            break
    assert seen == newest_first

    def numbers_for(**filters: object) -> list[str]:
        return [n.number for n in list_published(session, clock.now, NoticeFilters(**filters))[0]]

    assert numbers_for(topic=["facilities_finance_tuition"]) == ["1/TB-SGDĐT"]
    assert numbers_for(kind=["initial_information"]) == newest_first[1:]
    assert numbers_for(notice_type=["TB"]) == ["1/TB-SGDĐT"]
    assert numbers_for(outlet="Báo Thanh Niên") == ["1/TB-SGDĐT"]
    assert numbers_for(q="hoc phi") == ["1/TB-SGDĐT"]
    assert numbers_for(q="Kỳ thi LẦN 3.") == ["4/TC-SGDĐT"]
    assert numbers_for(q="3/TC-SGDĐT") == ["3/TC-SGDĐT"]
    assert numbers_for(since=FIXED_NOW + timedelta(minutes=20), until=FIXED_NOW + timedelta(minutes=40)) == [
        "4/TC-SGDĐT", "3/TC-SGDĐT",
    ]  # fmt: skip
    with pytest.raises(ValidationFailed):
        list_published(session, clock.now, cursor="@@@")


def test_get_by_number_or_slug(api: Api, session: Session, clock: Clock) -> None:
    ref = case_in_progress(session, now=FIXED_NOW).reference
    notice = api.published(ref, kind="initial_information", text="Thông tin ban đầu.")
    for key in ("1/TC-SGDĐT", "2026-tc-1", "2026-TC-1"):
        assert get_published(session, key, clock.now).slug == notice["slug"]
    for key in ("2025-tc-1", "2/TC-SGDĐT", "1/TC-OTHER", "garbage", ""):
        with pytest.raises(NotFound):
            get_published(session, key, clock.now)
