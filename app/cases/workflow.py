"""The case lifecycle: statuses, actions, every allowed edge and the permission it needs. Pure: no I/O.

```
new ─assign─▶ assigned ─accept─▶ in_progress ─submit─▶ awaiting_approval ─approve─▶ approved ─publish─▶ published
 │               ▲                  │  ▲ ▲                   │                             │                │
 │               └────reassign──────┘  │ └───────return──────┘                             │              close
 │                                     └──────return (a new version voids the approval)────┘
 ├─close (no_action | transferred | duplicate, with a reason)─▶ closed ◀──────────────────────────────────────┘
 │                                                                │
 └─ in_progress ⇄ on_hold (hold / resume)                         └─reopen─▶ in_progress (or new, if no unit yet)
```

``submit``, ``return``, ``approve`` and ``publish`` follow the case's main response statement: they are driven by
the statement endpoints, never requested directly, so nothing reaches ``approved`` or ``published`` without a
statement that was really approved. "Overdue" is not a status; it is computed from the clocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.auth.permissions import Permission
from app.errors import InvalidTransition
from app.i18n import Message, _


class CaseStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    PUBLISHED = "published"
    CLOSED = "closed"


class Action(StrEnum):
    ASSIGN = "assign"
    REASSIGN = "reassign"
    ACCEPT = "accept"
    HOLD = "hold"
    RESUME = "resume"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    PUBLISH = "publish"
    CLOSE = "close"
    REOPEN = "reopen"


class CloseReason(StrEnum):
    ANSWERED = "answered"
    NO_ACTION = "no_action"
    TRANSFERRED = "transferred"
    DUPLICATE = "duplicate"


STATUS_LABELS: dict[CaseStatus, Message] = {
    CaseStatus.NEW: _("Mới tiếp nhận"),
    CaseStatus.ASSIGNED: _("Đã chuyển đơn vị"),
    CaseStatus.IN_PROGRESS: _("Đang xử lý"),
    CaseStatus.ON_HOLD: _("Tạm dừng chờ bên thứ ba"),
    CaseStatus.AWAITING_APPROVAL: _("Chờ duyệt"),
    CaseStatus.APPROVED: _("Đã duyệt"),
    CaseStatus.PUBLISHED: _("Đã công bố"),
    CaseStatus.CLOSED: _("Đã đóng"),
}

ACTION_LABELS: dict[Action, Message] = {
    Action.ASSIGN: _("Chuyển đơn vị xử lý"),
    Action.REASSIGN: _("Chuyển lại đơn vị khác"),
    Action.ACCEPT: _("Nhận xử lý"),
    Action.HOLD: _("Tạm dừng"),
    Action.RESUME: _("Tiếp tục xử lý"),
    Action.SUBMIT: _("Trình duyệt"),
    Action.RETURN: _("Trả lại"),
    Action.APPROVE: _("Duyệt"),
    Action.PUBLISH: _("Công bố"),
    Action.CLOSE: _("Đóng vụ việc"),
    Action.REOPEN: _("Mở lại"),
}

CLOSE_REASON_LABELS: dict[CloseReason, Message] = {
    CloseReason.ANSWERED: _("Đã trả lời"),
    CloseReason.NO_ACTION: _("Không cần xử lý"),
    CloseReason.TRANSFERRED: _("Chuyển cơ quan khác"),
    CloseReason.DUPLICATE: _("Trùng vụ việc khác"),
}

OPEN_STATUSES = frozenset(
    {
        CaseStatus.NEW,
        CaseStatus.ASSIGNED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.ON_HOLD,
        CaseStatus.AWAITING_APPROVAL,
        CaseStatus.APPROVED,
    }
)
ANSWERED_STATUSES = frozenset({CaseStatus.PUBLISHED})
CLOSED_STATUSES = frozenset({CaseStatus.CLOSED})
# Statuses in which the unit is working the case (it may draft, hold, be given tasks).
WORKING_STATUSES = frozenset({CaseStatus.IN_PROGRESS, CaseStatus.ON_HOLD})
# The clocks that the rules allow to pause stop while the case waits for a third party.
CLOCK_PAUSED_STATUSES = frozenset({CaseStatus.ON_HOLD})


@dataclass(frozen=True)
class Edge:
    action: Action
    source: CaseStatus
    target: CaseStatus
    permission: Permission
    via_statement: bool = False  # driven by the statement endpoints, not by /transitions


S, A, P = CaseStatus, Action, Permission
EDGES: tuple[Edge, ...] = (
    Edge(A.ASSIGN, S.NEW, S.ASSIGNED, P.CASE_TRIAGE),
    Edge(A.REASSIGN, S.ASSIGNED, S.ASSIGNED, P.CASE_TRIAGE),
    Edge(A.REASSIGN, S.IN_PROGRESS, S.ASSIGNED, P.CASE_TRIAGE),
    Edge(A.ACCEPT, S.ASSIGNED, S.IN_PROGRESS, P.CASE_WORK),
    Edge(A.HOLD, S.IN_PROGRESS, S.ON_HOLD, P.CASE_WORK),
    Edge(A.RESUME, S.ON_HOLD, S.IN_PROGRESS, P.CASE_WORK),
    Edge(A.SUBMIT, S.IN_PROGRESS, S.AWAITING_APPROVAL, P.STATEMENT_SUBMIT, via_statement=True),
    Edge(A.RETURN, S.AWAITING_APPROVAL, S.IN_PROGRESS, P.STATEMENT_REVIEW, via_statement=True),
    Edge(A.APPROVE, S.AWAITING_APPROVAL, S.APPROVED, P.STATEMENT_REVIEW, via_statement=True),
    # A new version of the approved main statement voids its approval: the case goes back to the unit.
    Edge(A.RETURN, S.APPROVED, S.IN_PROGRESS, P.STATEMENT_DRAFT, via_statement=True),
    Edge(A.PUBLISH, S.APPROVED, S.PUBLISHED, P.NOTICE_PUBLISH, via_statement=True),
    Edge(A.CLOSE, S.NEW, S.CLOSED, P.CASE_CLOSE),
    Edge(A.CLOSE, S.ASSIGNED, S.CLOSED, P.CASE_CLOSE),
    Edge(A.CLOSE, S.IN_PROGRESS, S.CLOSED, P.CASE_CLOSE),
    Edge(A.CLOSE, S.ON_HOLD, S.CLOSED, P.CASE_CLOSE),
    Edge(A.CLOSE, S.PUBLISHED, S.CLOSED, P.CASE_CLOSE),
    Edge(A.REOPEN, S.CLOSED, S.IN_PROGRESS, P.CASE_REOPEN),
)
TRANSITIONS: dict[tuple[CaseStatus, Action], Edge] = {(e.source, e.action): e for e in EDGES}

# Closing before an answer is published needs one of these reasons; after publication it is "answered".
CLOSE_WITHOUT_ANSWER_REASONS = frozenset({CloseReason.NO_ACTION, CloseReason.TRANSFERRED, CloseReason.DUPLICATE})


def edge_for(status: CaseStatus, action: Action) -> Edge:
    edge = TRANSITIONS.get((status, action))
    if edge is None:
        raise InvalidTransition(
            _(
                "Không thể «{action}» khi vụ việc đang ở trạng thái «{status}».",
                action=ACTION_LABELS[action],
                status=STATUS_LABELS[status],
            ),
            action=action.value,
            status=status.value,
        )
    return edge


def allowed_actions(status: CaseStatus) -> list[Action]:
    return [e.action for e in EDGES if e.source == status]


def close_reasons_for(status: CaseStatus) -> list[CloseReason]:
    """The reasons a close may give at this stage (what ``close_reason_for`` accepts), most likely first."""
    if status in ANSWERED_STATUSES:
        return [CloseReason.ANSWERED]
    return [r for r in CloseReason if r in CLOSE_WITHOUT_ANSWER_REASONS]


def reopen_target(has_lead_unit: bool) -> CaseStatus:
    """A reopened case goes back to its unit, or to the press office's triage if it never had one."""
    return CaseStatus.IN_PROGRESS if has_lead_unit else CaseStatus.NEW


def close_reason_for(status: CaseStatus, requested: CloseReason | None) -> CloseReason:
    """The reason a close records; raises if it does not fit the case's stage."""
    if status in ANSWERED_STATUSES:
        return requested or CloseReason.ANSWERED
    if requested not in CLOSE_WITHOUT_ANSWER_REASONS:
        raise InvalidTransition(
            _("Đóng vụ việc chưa được trả lời cần lý do: không cần xử lý, chuyển cơ quan khác, hoặc trùng lặp."),
            field="reason",
        )
    assert requested is not None
    return requested
