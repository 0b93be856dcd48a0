"""The rules of statements (nội dung phát ngôn): kinds, the approval path, the checklist, refusal grounds and the
hash of the approved text. Pure: no I/O.

```
draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
  ▲  ▲               │                      │
  │  └──add_version──┴──return──▶ returned   └──add_version (the approval is void)──▶ draft
  └──────────add_version───────────┘
```

A case's *main* statement (a response, a rebuttal or a refusal) drives the case's status (product §3): submitting
it moves the case to ``awaiting_approval``, returning it back to ``in_progress``, approving it to ``approved`` and
publishing it to ``published``; a new version after its approval takes the case back to ``in_progress``. An
initial-information statement or a correction moves nothing.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from enum import StrEnum

from app.cases.workflow import CLOSED_STATUSES, WORKING_STATUSES, Action, CaseStatus
from app.errors import InvalidTransition, ValidationFailed
from app.i18n import Message, _
from app.spokespersons.rules import Regime


class StatementKind(StrEnum):
    INITIAL_INFORMATION = "initial_information"
    RESPONSE = "response"
    REBUTTAL = "rebuttal"
    REFUSAL = "refusal"
    CORRECTION = "correction"


KIND_LABELS: dict[StatementKind, Message] = {
    StatementKind.INITIAL_INFORMATION: _("Thông tin ban đầu"),
    StatementKind.RESPONSE: _("Trả lời, thông báo kết quả xử lý"),
    StatementKind.REBUTTAL: _("Phản hồi thông tin sai sự thật"),
    StatementKind.REFUSAL: _("Từ chối cung cấp thông tin"),
    StatementKind.CORRECTION: _("Đính chính, thu hồi thông cáo"),
}

# The kinds that answer the case and drive its status; at most one of them is open (not published) at a time.
MAIN_KINDS = frozenset({StatementKind.RESPONSE, StatementKind.REBUTTAL, StatementKind.REFUSAL})


class StatementStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    PUBLISHED = "published"


STATUS_LABELS: dict[StatementStatus, Message] = {
    StatementStatus.DRAFT: _("Dự thảo"),
    StatementStatus.SUBMITTED: _("Đã trình duyệt"),
    StatementStatus.RETURNED: _("Bị trả lại"),
    StatementStatus.APPROVED: _("Đã duyệt"),
    StatementStatus.PUBLISHED: _("Đã công bố"),
}


class StatementAction(StrEnum):
    ADD_VERSION = "add_version"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    PUBLISH = "publish"


ACTION_LABELS: dict[StatementAction, Message] = {
    StatementAction.ADD_VERSION: _("Thêm phiên bản"),
    StatementAction.SUBMIT: _("Trình duyệt"),
    StatementAction.RETURN: _("Trả lại"),
    StatementAction.APPROVE: _("Duyệt"),
    StatementAction.PUBLISH: _("Công bố"),
}

S, A = StatementStatus, StatementAction
EDGES: dict[tuple[StatementStatus, StatementAction], StatementStatus] = {
    (S.DRAFT, A.ADD_VERSION): S.DRAFT,
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.RETURNED, A.ADD_VERSION): S.DRAFT,
    (S.RETURNED, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.RETURN): S.RETURNED,
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.APPROVED, A.ADD_VERSION): S.DRAFT,  # voids the approval
    (S.APPROVED, A.PUBLISH): S.PUBLISHED,
}

_CASE_ACTIONS: dict[StatementAction, Action] = {
    A.SUBMIT: Action.SUBMIT,
    A.RETURN: Action.RETURN,
    A.APPROVE: Action.APPROVE,
    A.PUBLISH: Action.PUBLISH,
}


def next_status(status: StatementStatus, action: StatementAction) -> StatementStatus:
    target = EDGES.get((status, action))
    if target is None:
        if action == A.PUBLISH:
            raise InvalidTransition(
                _("Chỉ công bố được nội dung đã duyệt (phê duyệt bị hủy khi có phiên bản mới)."),
                action=action.value,
                status=status.value,
            )
        raise InvalidTransition(
            _(
                "Không thể «{action}» khi nội dung phát ngôn đang ở trạng thái «{status}».",
                action=ACTION_LABELS[action],
                status=STATUS_LABELS[status],
            ),
            action=action.value,
            status=status.value,
        )
    return target


def allowed_actions(status: StatementStatus) -> list[StatementAction]:
    return [a for (s, a) in EDGES if s == status]


def voids_approval(status: StatementStatus, action: StatementAction) -> bool:
    return status == S.APPROVED and action == A.ADD_VERSION


def case_action(kind: StatementKind, status: StatementStatus, action: StatementAction) -> Action | None:
    """The case's lifecycle action that this statement action drives, if any."""
    if kind not in MAIN_KINDS:
        return None
    if voids_approval(status, action):
        return Action.RETURN
    return _CASE_ACTIONS.get(action)


def may_draft(kind: StatementKind, case_status: CaseStatus) -> bool:
    """A main statement is drafted while the unit works the case; the others at any stage but closed."""
    if kind in MAIN_KINDS:
        return case_status in WORKING_STATUSES
    return case_status not in CLOSED_STATUSES


# --- the approval checklist (product §4; legal.md §4.5, §4.6) -----------------------------------------------

CHECKLIST: tuple[tuple[str, Message], ...] = (
    ("no_state_secret", _("Không có bí mật nhà nước.")),
    (
        "no_private_data",
        _(
            "Không có bí mật cá nhân, bí mật gia đình; không có tên, hình ảnh, lớp, trường, gia đình, kết quả học "
            "tập của học sinh khi không có căn cứ pháp lý."
        ),
    ),
    (
        "no_pending_proceedings",
        _(
            "Không có nội dung về vụ việc đang điều tra, thanh tra, giải quyết khiếu nại, tố cáo, tranh chấp "
            "chưa có kết luận chính thức."
        ),
    ),
)


def check_checklist(answers: Mapping[str, bool]) -> None:
    """All items must be confirmed; the error names every item that is not (not one at a time), with the first one's
    field and the list of all of them (``missing``: the field names)."""
    missing = [(key, label) for key, label in CHECKLIST if answers.get(key) is not True]
    if not missing:
        return
    if len(missing) == 1:
        message = _("Chưa xác nhận mục kiểm tra trước khi duyệt: {item}", item=missing[0][1])
    else:
        # The labels joined, each translated later in the reader's language.
        template = "; ".join(f"{{i{n}}}" for n in range(len(missing)))
        items = Message(template, **{f"i{n}": label for n, (_key, label) in enumerate(missing)})
        message = _("Chưa xác nhận {n} mục kiểm tra trước khi duyệt: {items}", n=len(missing), items=items)
    raise ValidationFailed(message, field=f"checklist.{missing[0][0]}",
                           missing=[f"checklist.{key}" for key, _label in missing])  # fmt: skip


# --- refusals (Press Law 2025 Art. 31.2; Press Law 2016 Art. 38.2; legal.md §2, §4.6) --------------------------


class RefusalGround(StrEnum):
    STATE_SECRET = "state_secret"
    PERSONAL_FAMILY_SECRET = "personal_family_secret"
    CRIMINAL_CASE_PENDING = "criminal_case_pending"
    PROCEEDINGS_PENDING = "proceedings_pending"
    PARTY_SECRET = "party_secret"
    POLICY_DRAFT = "policy_draft"


REFUSAL_LABELS: dict[RefusalGround, Message] = {
    RefusalGround.STATE_SECRET: _("Thông tin thuộc bí mật nhà nước"),
    RefusalGround.PERSONAL_FAMILY_SECRET: _("Bí mật cá nhân, bí mật gia đình (bí mật đời tư)"),
    RefusalGround.CRIMINAL_CASE_PENDING: _("Vụ án đang điều tra hoặc chưa xét xử"),
    RefusalGround.PROCEEDINGS_PENDING: _(
        "Vụ việc đang thanh tra, giải quyết khiếu nại, tố cáo, tranh chấp chưa có kết luận chính thức"
    ),
    RefusalGround.PARTY_SECRET: _("Bí mật thuộc nguyên tắc và quy định của Đảng"),
    RefusalGround.POLICY_DRAFT: _("Văn bản chính sách, đề án đang soạn thảo, chưa được phép công bố"),
}

_LAW_2025 = "Luật Báo chí 2025, Điều 31 khoản 2; Nghị định 244/2026/NĐ-CP, Điều 4 khoản 3"
# The grounds each regime offers, with their citation. The 2025 law's list is VERIFIED-SECONDARY (legal.md §2.1):
# whether it keeps the 2016 grounds on Party secrets and policy drafts is unverified, so they are offered only for
# cases judged under the 2016 law until the Sở's legal staff confirm.
REFUSAL_GROUNDS: dict[Regime, dict[RefusalGround, str]] = {
    Regime.DECREE_244_2026: {
        RefusalGround.STATE_SECRET: _LAW_2025,
        RefusalGround.PERSONAL_FAMILY_SECRET: _LAW_2025,
        RefusalGround.CRIMINAL_CASE_PENDING: _LAW_2025,
        RefusalGround.PROCEEDINGS_PENDING: _LAW_2025,
    },
    Regime.DECREE_09_2017: {
        RefusalGround.STATE_SECRET: "Luật Báo chí 2016, Điều 38 khoản 2 điểm a; Nghị định 09/2017/NĐ-CP, Điều 8",
        RefusalGround.PARTY_SECRET: "Luật Báo chí 2016, Điều 38 khoản 2 điểm a; Nghị định 09/2017/NĐ-CP, Điều 8",
        RefusalGround.PERSONAL_FAMILY_SECRET: (
            "Luật Báo chí 2016, Điều 38 khoản 2 điểm a; Nghị định 09/2017/NĐ-CP, Điều 8"
        ),
        RefusalGround.CRIMINAL_CASE_PENDING: (
            "Luật Báo chí 2016, Điều 38 khoản 2 điểm b; Nghị định 09/2017/NĐ-CP, Điều 8"
        ),
        RefusalGround.PROCEEDINGS_PENDING: (
            "Luật Báo chí 2016, Điều 38 khoản 2 điểm c; Nghị định 09/2017/NĐ-CP, Điều 8"
        ),
        RefusalGround.POLICY_DRAFT: "Luật Báo chí 2016, Điều 38 khoản 2 điểm d; Nghị định 09/2017/NĐ-CP, Điều 8",
    },
}


def refusal_basis(regime: Regime, ground: RefusalGround) -> str:
    """The citation of a ground under the case's regime; a ground the regime does not offer is refused."""
    basis = REFUSAL_GROUNDS[regime].get(ground)
    if basis is None:
        offered = ", ".join(g.value for g in REFUSAL_GROUNDS[regime])
        raise ValidationFailed(
            _(
                "Căn cứ từ chối «{ground}» không áp dụng cho vụ việc này; chọn một trong: {offered}.",
                ground=ground.value,
                offered=offered,
            ),  # fmt: skip
            field="refusal_ground",
        )
    return basis


def check_refusal(kind: StatementKind, ground: RefusalGround | None, reason: str | None, regime: Regime) -> None:
    """A refusal states its legal ground and its reason (Decree 244/2026 Art. 4.3); other kinds have neither."""
    if kind == StatementKind.REFUSAL:
        if ground is None:
            raise ValidationFailed(_("Từ chối cung cấp thông tin phải nêu căn cứ pháp lý."), field="refusal_ground")
        refusal_basis(regime, ground)
        if not reason or not reason.strip():
            raise ValidationFailed(_("Từ chối cung cấp thông tin phải nêu rõ lý do."), field="refusal_reason")
    elif ground is not None or reason:
        raise ValidationFailed(_("Chỉ nội dung từ chối cung cấp thông tin mới có căn cứ từ chối."),
                               field="refusal_ground")  # fmt: skip


# --- the text -----------------------------------------------------------------------------------------------


def normalize_text(text: str) -> str:
    """The stored form of a text: Unicode NFC (Vietnamese typed on any system compares equal), ``\\n`` line ends."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def text_digest(text: str) -> str:
    """SHA-256 of the exact text (UTF-8), as hex: what the approval records and the notice carries."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
