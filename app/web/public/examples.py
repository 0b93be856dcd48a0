"""Examples for the public API's OpenAPI document (what a newsroom developer sees first in /docs)."""

from __future__ import annotations

from typing import Any

from fastapi import Body

NOTICE_REF = {"number": "12/TC-SGDĐT", "slug": "2026-tc-12", "kind": "initial_information",
              "published_at": "2026-11-27T02:15:00Z"}  # fmt: skip

NOTICE: dict[str, Any] = {
    "number": "7/TB-SGDĐT",
    "slug": "2026-tb-7",
    "notice_type": "TB",
    "year": 2026,
    "kind": "response",
    "title": "Kết quả xác minh thông tin về việc thu phí ngoài quy định tại Trường THCS Nguyễn Du",
    "text": "Sở Giáo dục và Đào tạo thông tin kết quả xác minh như sau: …",
    "text_sha256": "9f2c5e0a1b7d4c3e8f6a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e",
    "published_at": "2026-11-28T08:30:00Z",
    "spokesperson": {"name": "Võ Thanh Bình", "title": "Chánh Văn phòng Sở", "capacity": "standing_spokesperson"},
    "case_reference": "VV-2026-00042",
    "topic": "facilities_finance_tuition",
    "answers": {"outlet": "Báo Tuổi Trẻ", "url": "https://tuoitre.vn/…", "published_at": "2026-11-26T23:00:00Z"},
    "refusal": None,
    "corrects": None,
    "withdraws": False,
    "withdrawn": False,
    "withdrawn_by": None,
    "corrected_by": [],
    "history": [
        NOTICE_REF,
        {"number": "7/TB-SGDĐT", "slug": "2026-tb-7", "kind": "response", "published_at": "2026-11-28T08:30:00Z"},
    ],  # fmt: skip
    "attachments": [
        {
            "filename": "Công văn 1245-SGDĐT-VP.pdf",
            "url": "/api/public/v1/attachments/57/content",
            "size": 184322,
            "sha256": "9f2c4e8a1b7d3f60c5e2a9b48d7f1e3c6a0b5d9e2f4c7a8b1d3e6f9a0c2b4d5e",
            "content_type": "application/pdf",
        },
    ],  # fmt: skip
}

NOTICE_PAGE = {"items": [NOTICE], "next_cursor": "WyIyMDI2LTExLTI4VDA4OjMwOjAwKzAwOjAwIiwgNDJd"}

SPOKESPERSONS = {
    "items": [
        {"name": "Đặng Quốc Hưng", "title": "Giám đốc Sở", "phone": "028 3829 1000",
         "email": "giamdoc@sgddt.example.gov.vn", "capacity": "director", "since": None},
        {"name": "Võ Thanh Bình", "title": "Chánh Văn phòng Sở", "phone": "028 3829 1001",
         "email": "phatngon@sgddt.example.gov.vn", "capacity": "standing_spokesperson",
         "since": "2026-07-01T01:00:00Z"},
    ]
}  # fmt: skip

INQUIRY_RECEIPT = {"code": "PV-7KQ2M4XZ3B6D5F2H4J6K7L2M", "status": "received"}
INQUIRY_STATUS = {
    "code": "PV-7KQ2M4XZ3B6D5F2H4J6K7L2M",
    "status": "answered",
    "notice": {"number": "7/TB-SGDĐT", "slug": "2026-tb-7", "url": "https://sgddt.example.gov.vn/notices/2026-tb-7"},
}

INQUIRY_BODY = Body(
    openapi_examples={
        "inquiry": {
            "summary": "A written inquiry",
            "value": {
                "outlet": "Báo Thanh Niên",
                "reporter_name": "Nguyễn Văn An",
                "press_card_number": "01234/BTN",
                "contact": "an.nguyen@thanhnien.example.vn",
                "question": "Đề nghị Sở cho biết kết quả kiểm tra việc thu các khoản ngoài học phí tại Trường THCS "
                "Nguyễn Du đầu năm học 2026–2027?",
                "reporter_deadline": "2026-11-30T17:00:00+07:00",
            },
        }
    }
)

ERROR_404 = {"error": "NotFound", "detail": "Không tìm thấy thông cáo 99/TC-SGDĐT."}
ERROR_422 = {"error": "ValidationFailed", "detail": "topic: Input should be 'policy_reform', …",
             "fields": [{"field": "topic", "message": "Input should be 'policy_reform', …"}]}  # fmt: skip
ERROR_429 = {"error": "RateLimited", "detail": "Quá nhiều yêu cầu. Hãy thử lại sau 3 giây."}
