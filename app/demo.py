"""Demo data: a realistic Sở GD&ĐT with its units, the demo accounts and cases in every status.

Everything goes through the same services as the web app, so the demo's history (timelines) is real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import Session, select

from app.answer_templates.demo import load_demo_templates
from app.auth.permissions import Actor, Role
from app.auth.service import DEMO_PASSWORD, load_actor, password_hasher
from app.cases import service as cases
from app.cases.models import Case, CaseCreate
from app.cases.vocabulary import LegalTrigger, Severity, SourceKind, Topic
from app.cases.workflow import Action, CaseStatus, CloseReason
from app.crisis import paging as crisis_paging
from app.crisis import service as crisis_service
from app.crisis.models import CrisisIn, RosterIn, ShiftIn
from app.crisis.rules import DutyRole
from app.db import utcnow
from app.mailbox.models import PressOutletIn
from app.mailbox.service import add_outlet
from app.monitor import demo as monitor_demo
from app.notices import publication
from app.notices.models import Notice
from app.org.models import GrantIn, Unit, UnitKind, User, UserCreate
from app.org.service import create_user
from app.press_events.models import PressEventCreate, PressEventKind
from app.press_events.service import create_press_event
from app.settings import Settings
from app.spokespersons import service as spokespersons
from app.spokespersons.models import AppointmentCreate, AuthorisationCreate
from app.statements import service as statements
from app.statements.models import ApproveIn, Checklist, Statement, StatementCreate, VersionCreate
from app.statements.rules import RefusalGround, StatementKind
from app.stories import service as stories
from app.stories.models import ContactIn, PlanIn, StoryCreate, StoryUpdate, TargetIn
from app.stories.workflow import StoryAction, StoryKind, school_year_of
from app.tasks.models import Task, TaskAnswer, TaskCreate
from app.tasks.service import answer_task, create_task
from app.timeutil import local_date


class Progress(Protocol):
    def print(self, *objects: Any) -> None: ...


# code, name, English name, kind, parent code, contact (name, title, phone, e-mail)
UNITS: list[tuple[str, str, str, UnitKind, str | None, tuple[str, str, str, str]]] = [
    ("VP", "Văn phòng Sở", "Office of the Department", UnitKind.OFFICE, None,
     ("Nguyễn Thị Thu Hà", "Chuyên viên truyền thông", "028 3829 1234", "truyenthong@sgddt.example.gov.vn")),
    ("TCCB", "Phòng Tổ chức cán bộ", "Personnel Division", UnitKind.DIVISION, None,
     ("Huỳnh Văn Lộc", "Phó Trưởng phòng", "028 3829 2201", "tccb@sgddt.example.gov.vn")),
    ("GDMN", "Phòng Giáo dục Mầm non", "Preschool Education Division", UnitKind.DIVISION, None,
     ("Lý Thị Mai", "Chuyên viên", "028 3829 2202", "gdmn@sgddt.example.gov.vn")),
    ("GDTH", "Phòng Giáo dục Tiểu học", "Primary Education Division", UnitKind.DIVISION, None,
     ("Đỗ Thị Kim Oanh", "Phó Trưởng phòng", "028 3829 2203", "gdth@sgddt.example.gov.vn")),
    ("GDTrH", "Phòng Giáo dục Trung học", "Secondary Education Division", UnitKind.DIVISION, None,
     ("Trần Minh Quân", "Chuyên viên", "028 3829 2204", "gdtrh@sgddt.example.gov.vn")),
    ("GDNN-GDTX", "Phòng Giáo dục nghề nghiệp - Giáo dục thường xuyên",
     "Vocational and Continuing Education Division", UnitKind.DIVISION, None,
     ("Phan Thanh Tùng", "Chuyên viên", "028 3829 2205", "gdnn@sgddt.example.gov.vn")),
    ("KHTC", "Phòng Kế hoạch - Tài chính", "Planning and Finance Division", UnitKind.DIVISION, None,
     ("Ngô Thị Lan", "Phó Trưởng phòng", "028 3829 2206", "khtc@sgddt.example.gov.vn")),
    ("KTKD", "Phòng Khảo thí và Kiểm định chất lượng giáo dục",
     "Examinations and Quality Assurance Division", UnitKind.DIVISION, None,
     ("Vũ Đức Thắng", "Chuyên viên", "028 3829 2207", "khaothi@sgddt.example.gov.vn")),
    ("CTTT", "Phòng Chính trị, tư tưởng", "Political Education and Student Affairs Division", UnitKind.DIVISION,
     None, ("Mai Thị Thanh Hương", "Chuyên viên", "028 3829 2208", "cttt@sgddt.example.gov.vn")),
    ("TTr", "Thanh tra Sở", "Department Inspectorate", UnitKind.INSPECTORATE, None,
     ("Cao Văn Hải", "Phó Chánh Thanh tra", "028 3829 2209", "thanhtra@sgddt.example.gov.vn")),
    ("TTTT", "Trung tâm Thông tin và Chương trình giáo dục", "Education Information and Programmes Centre",
     UnitKind.AFFILIATED, None, ("Lâm Quốc Bảo", "Phó Giám đốc Trung tâm", "028 3829 2210",
                                 "tttt@sgddt.example.gov.vn")),
    ("TTHTPTGD", "Trung tâm Hỗ trợ phát triển giáo dục", "Education Development Support Centre",
     UnitKind.AFFILIATED, None, ("Trịnh Thị Ngọc", "Chuyên viên", "028 3829 2211", "htptgd@sgddt.example.gov.vn")),
    ("VHXH-BENTHANH", "Phòng Văn hóa - Xã hội phường Bến Thành", "Culture and Society Office, Ben Thanh Ward",
     UnitKind.COMMUNE, None, ("Đinh Thị Thu", "Chuyên viên giáo dục", "028 3822 3344",
                              "vhxh.benthanh@tphcm.example.gov.vn")),
    ("VHXH-XUANHOA", "Phòng Văn hóa - Xã hội phường Xuân Hòa", "Culture and Society Office, Xuan Hoa Ward",
     UnitKind.COMMUNE, None, ("Quách Văn Nam", "Chuyên viên giáo dục", "028 3930 5566",
                              "vhxh.xuanhoa@tphcm.example.gov.vn")),
    ("VHXH-CUCHI", "Phòng Văn hóa - Xã hội xã Củ Chi", "Culture and Society Office, Cu Chi Commune",
     UnitKind.COMMUNE, None, ("Tạ Thị Hạnh", "Chuyên viên giáo dục", "028 3892 7788",
                              "vhxh.cuchi@tphcm.example.gov.vn")),
    ("VHXH-CONDAO", "Phòng Văn hóa - Xã hội đặc khu Côn Đảo", "Culture and Society Office, Con Dao Special Zone",
     UnitKind.COMMUNE, None, ("Hà Văn Sơn", "Chuyên viên giáo dục", "0254 383 0011",
                              "vhxh.condao@tphcm.example.gov.vn")),
    ("THPT-NTMK", "Trường THPT Nguyễn Thị Minh Khai", "Nguyen Thi Minh Khai High School", UnitKind.SCHOOL,
     "GDTrH", ("Lương Thị Bích", "Phó Hiệu trưởng", "028 3930 1122", "ntmk@thpt.example.edu.vn")),
    ("THPT-LHP", "Trường THPT chuyên Lê Hồng Phong", "Le Hong Phong High School for the Gifted", UnitKind.SCHOOL,
     "GDTrH", ("Tôn Thất Khoa", "Phó Hiệu trưởng", "028 3830 3344", "lhp@thpt.example.edu.vn")),
    ("TH-BENTHANH", "Trường Tiểu học Bến Thành", "Ben Thanh Primary School", UnitKind.SCHOOL, "VHXH-BENTHANH",
     ("Kiều Thị Nga", "Hiệu trưởng", "028 3829 5566", "thbenthanh@th.example.edu.vn")),
]  # fmt: skip

# username, full name, title, e-mail, phone, grants (role, unit code)
USERS: list[tuple[str, str, str, str, str, list[tuple[Role, str | None]]]] = [
    ("office", "Nguyễn Thị Thu Hà", "Chuyên viên truyền thông, Văn phòng Sở", "thuha@sgddt.example.gov.vn",
     "0903 111 222", [(Role.PRESS_OFFICER, "VP")]),
    ("handler", "Trần Minh Quân", "Chuyên viên Phòng Giáo dục Trung học", "mquan@sgddt.example.gov.vn",
     "0903 222 333", [(Role.HANDLER, "GDTrH")]),
    ("head", "Lê Thị Hồng Nhung", "Trưởng phòng Giáo dục Trung học", "hnhung@sgddt.example.gov.vn",
     "0903 333 444", [(Role.UNIT_HEAD, "GDTrH")]),
    ("spokesperson", "Võ Thanh Bình", "Chánh Văn phòng Sở, người phát ngôn", "phatngon@sgddt.example.gov.vn",
     "0903 444 555", [(Role.SPOKESPERSON, "VP")]),
    ("director", "Đặng Quốc Hưng", "Giám đốc Sở", "giamdoc@sgddt.example.gov.vn", "028 3829 9999",
     [(Role.DIRECTOR, None)]),
    ("admin", "Bùi Anh Tuấn", "Quản trị hệ thống", "quantri@sgddt.example.gov.vn", "0903 555 666",
     [(Role.ADMIN, None)]),
    ("handler.th", "Đỗ Thị Kim Oanh", "Phó Trưởng phòng Giáo dục Tiểu học", "kimoanh@sgddt.example.gov.vn",
     "0903 666 777", [(Role.HANDLER, "GDTH")]),
    ("head.th", "Phạm Văn Khánh", "Trưởng phòng Giáo dục Tiểu học", "vkhanh@sgddt.example.gov.vn",
     "0903 777 888", [(Role.UNIT_HEAD, "GDTH")]),
    ("handler.kt", "Vũ Đức Thắng", "Chuyên viên Phòng Khảo thí và Kiểm định", "dthang@sgddt.example.gov.vn",
     "0903 888 999", [(Role.HANDLER, "KTKD")]),
    ("head.kt", "Châu Ngọc Diễm", "Trưởng phòng Khảo thí và Kiểm định", "ndiem@sgddt.example.gov.vn",
     "0903 999 000", [(Role.UNIT_HEAD, "KTKD")]),
    ("handler.tc", "Ngô Thị Lan", "Phó Trưởng phòng Kế hoạch - Tài chính", "ngolan@sgddt.example.gov.vn",
     "0904 111 222", [(Role.HANDLER, "KHTC")]),
    ("head.tc", "Hoàng Minh Tâm", "Trưởng phòng Kế hoạch - Tài chính", "mtam@sgddt.example.gov.vn",
     "0904 222 333", [(Role.UNIT_HEAD, "KHTC")]),
    ("handler.tt", "Cao Văn Hải", "Phó Chánh Thanh tra Sở", "vanhai@sgddt.example.gov.vn", "0904 333 444",
     [(Role.HANDLER, "TTr")]),
    ("head.tt", "Lê Văn Thành", "Chánh Thanh tra Sở", "vthanh@sgddt.example.gov.vn", "0904 444 555",
     [(Role.UNIT_HEAD, "TTr")]),
    ("handler.bt", "Đinh Thị Thu", "Chuyên viên Phòng Văn hóa - Xã hội phường Bến Thành",
     "dthu@tphcm.example.gov.vn", "0904 555 666", [(Role.HANDLER, "VHXH-BENTHANH")]),
    ("office2", "Lưu Thị Phương", "Chuyên viên Văn phòng Sở", "lphuong@sgddt.example.gov.vn", "0904 666 777",
     [(Role.PRESS_OFFICER, "VP")]),
]  # fmt: skip


SPARE_HEADS = [
    "Nguyễn Văn Phúc",
    "Trần Thị Ngọc Ánh",
    "Lê Hoàng Long",
    "Phạm Thị Thanh Tâm",
    "Huỳnh Công Danh",
    "Võ Thị Mỹ Linh",
    "Đoàn Minh Triết",
    "Dương Thị Hải Yến",
    "Tăng Quốc Cường",
    "Mạc Thị Hoa",
]


@dataclass
class DemoCase:
    status: CaseStatus
    hours_ago: float
    title: str
    summary: str
    source_kind: SourceKind
    topic: Topic
    severity: Severity
    unit: str | None = None
    supporting: tuple[str, ...] = ()
    outlet: str | None = None
    reporter: str | None = None
    url: str | None = None
    trigger: LegalTrigger | None = None
    occurred_hours_ago: float | None = None
    close_reason: CloseReason | None = None
    tags: tuple[str, ...] = ()


CASES: list[DemoCase] = [
    DemoCase(CaseStatus.NEW, 2, "Phụ huynh phản ánh thu tiền máy lạnh đầu năm học",
             "Bài đăng trên nhóm phụ huynh phản ánh một trường tiểu học thu 250.000 đồng/học sinh để lắp máy lạnh, "
             "chưa thông qua ban đại diện cha mẹ học sinh.", SourceKind.SOCIAL_MEDIA,
             Topic.FACILITIES_FINANCE_TUITION, Severity.HOT, url="https://www.facebook.com/groups/phuhuynh/posts/1",
             trigger=LegalTrigger.DIVIDED_OPINION, tags=("thu-chi",)),
    DemoCase(CaseStatus.NEW, 5, "Phóng viên hỏi về lịch thi tuyển sinh lớp 10 năm học 2027-2028",
             "Phóng viên đề nghị Sở cho biết dự kiến lịch thi, số môn thi và chỉ tiêu tuyển sinh lớp 10 công lập.",
             SourceKind.PRESS_INQUIRY, Topic.EDUCATION_QUALITY, Severity.ROUTINE, outlet="Báo Tuổi Trẻ",
             reporter="Nguyễn Hoàng Anh", trigger=LegalTrigger.PRESS_REQUEST, tags=("tuyen-sinh",)),
    DemoCase(CaseStatus.NEW, 30, "Góp ý về ứng dụng sổ liên lạc điện tử thu phí",
             "Người dân góp ý qua cổng dịch vụ công: ứng dụng sổ liên lạc điện tử yêu cầu phụ huynh trả phí.",
             SourceKind.PUBLIC_FEEDBACK, Topic.DIGITAL_TRANSFORMATION, Severity.ROUTINE),
    DemoCase(CaseStatus.ASSIGNED, 20, "Bài báo: học sinh bị bạo lực học đường tại trường THCS",
             "Báo điện tử đăng clip một nhóm học sinh lớp 8 đánh bạn trong giờ ra chơi; clip lan truyền mạnh.",
             SourceKind.PRESS_ARTICLE, Topic.ETHICS_SCHOOL_SAFETY, Severity.CRISIS, unit="VHXH-XUANHOA",
             supporting=("CTTT",), outlet="Báo Thanh Niên", reporter="Lê Thị Mỹ Duyên",
             url="https://thanhnien.example.vn/bao-luc-hoc-duong", trigger=LegalTrigger.MAJOR_EVENT,
             occurred_hours_ago=26, tags=("bao-luc-hoc-duong",)),
    DemoCase(CaseStatus.ASSIGNED, 8, "Tòa soạn đề nghị trả lời về dạy thêm, học thêm",
             "Tổng biên tập chuyển thư bạn đọc phản ánh giáo viên tổ chức dạy thêm cho chính học sinh lớp mình.",
             SourceKind.PRESS_INQUIRY, Topic.TEACHERS_MANAGERS, Severity.ROUTINE, unit="GDTrH",
             outlet="Báo Người Lao Động", reporter="Trương Quốc Việt", trigger=LegalTrigger.EDITOR_REPLY_REQUEST,
             tags=("day-them",)),
    DemoCase(CaseStatus.IN_PROGRESS, 50, "Đề thi thử lớp 12 bị lộ trước giờ thi",
             "Mạng xã hội lan truyền ảnh đề thi thử môn Toán lớp 12 trước giờ thi tại một trường THPT.",
             SourceKind.SOCIAL_MEDIA, Topic.EDUCATION_QUALITY, Severity.HOT, unit="GDTrH", supporting=("KTKD",),
             trigger=LegalTrigger.MAJOR_EVENT, occurred_hours_ago=52, tags=("thi-cu",)),
    DemoCase(CaseStatus.IN_PROGRESS, 70, "Phản ánh thiếu giáo viên tiếng Anh tại trường THPT ngoại thành",
             "Báo phản ánh nhiều lớp 10 tại một trường THPT ở xã Củ Chi chưa có giáo viên tiếng Anh sau 2 tháng.",
             SourceKind.PRESS_ARTICLE, Topic.TEACHERS_MANAGERS, Severity.ROUTINE, unit="GDTrH",
             supporting=("TCCB",), outlet="Báo Sài Gòn Giải Phóng", reporter="Phạm Thu Trang",
             url="https://sggp.example.vn/thieu-giao-vien", trigger=LegalTrigger.PRESS_FORWARDED_FEEDBACK),
    DemoCase(CaseStatus.IN_PROGRESS, 10, "Thông tin sai sự thật về việc bỏ môn Lịch sử",
             "Một trang tin đăng rằng Sở bỏ môn Lịch sử khỏi kỳ kiểm tra học kỳ; thông tin không đúng.",
             SourceKind.PRESS_ARTICLE, Topic.POLICY_REFORM, Severity.HOT, unit="KTKD",
             outlet="Trang tin điện tử Tin Nhanh 24h", url="https://tinnhanh.example.vn/bo-mon-lich-su",
             trigger=LegalTrigger.UNTRUE_REPORT),
    DemoCase(CaseStatus.ON_HOLD, 120, "Khiếu nại về kết quả xét tuyển lớp 6 trường chuyên",
             "Báo chuyển đơn khiếu nại của phụ huynh về kết quả xét tuyển; đang chờ kết luận của Thanh tra Sở.",
             SourceKind.PRESS_INQUIRY, Topic.EDUCATION_QUALITY, Severity.ROUTINE, unit="TTr",
             outlet="Báo Giáo dục và Thời đại", reporter="Hồ Ngọc Hân",
             trigger=LegalTrigger.PRESS_FORWARDED_COMPLAINT),
    DemoCase(CaseStatus.AWAITING_APPROVAL, 30, "Học phí trường công lập năm học mới tăng",
             "Nhiều báo hỏi về mức học phí mới và chính sách miễn, giảm học phí của Thành phố.",
             SourceKind.PRESS_INQUIRY, Topic.FACILITIES_FINANCE_TUITION, Severity.HOT, unit="KHTC",
             outlet="VnExpress", reporter="Đặng Thùy Linh", trigger=LegalTrigger.PRESS_REQUEST, tags=("hoc-phi",)),
    DemoCase(CaseStatus.APPROVED, 40, "Cổng tuyển sinh đầu cấp bị quá tải",
             "Cổng tuyển sinh trực tuyến đầu cấp bị nghẽn trong ngày đầu đăng ký; phụ huynh phản ánh.",
             SourceKind.PUBLIC_FEEDBACK, Topic.ADMIN_REFORM_ONLINE_SERVICES, Severity.HOT, unit="TTTT",
             trigger=LegalTrigger.DIVIDED_OPINION, tags=("tuyen-sinh",)),
    DemoCase(CaseStatus.PUBLISHED, 200, "Ngộ độc thực phẩm tại bếp ăn bán trú trường tiểu học",
             "Nhiều học sinh có biểu hiện đau bụng sau bữa trưa bán trú; Sở phối hợp ngành y tế xác minh.",
             SourceKind.PRESS_ARTICLE, Topic.ETHICS_SCHOOL_SAFETY, Severity.CRISIS, unit="VHXH-BENTHANH",
             supporting=("GDTH",), outlet="Báo Tuổi Trẻ", reporter="Nguyễn Hoàng Anh",
             url="https://tuoitre.example.vn/ngo-doc-ban-tru", trigger=LegalTrigger.MAJOR_EVENT,
             occurred_hours_ago=204, tags=("an-toan-thuc-pham",)),
    DemoCase(CaseStatus.PUBLISHED, 400, "Kế hoạch chuyển đổi số trong quản lý hồ sơ học sinh",
             "Báo đề nghị Sở thông tin lộ trình triển khai học bạ số và hồ sơ điện tử.",
             SourceKind.PRESS_INQUIRY, Topic.DIGITAL_TRANSFORMATION, Severity.ROUTINE, unit="TTTT",
             outlet="Báo Pháp Luật TP.HCM", reporter="Lâm Gia Huy", trigger=LegalTrigger.PRESS_REQUEST),
    DemoCase(CaseStatus.PUBLISHED, 700, "Phản hồi thông tin sai về việc cấm học sinh đi xe máy điện",
             "Một số trang mạng đăng thông tin Sở cấm học sinh THPT đi xe máy điện; Sở đã phản hồi.",
             SourceKind.SOCIAL_MEDIA, Topic.POLICY_REFORM, Severity.HOT, unit="CTTT",
             trigger=LegalTrigger.UNTRUE_REPORT),
    DemoCase(CaseStatus.CLOSED, 900, "Hỏi về lịch nghỉ Tết Nguyên đán của học sinh",
             "Phóng viên hỏi lịch nghỉ Tết; đã trả lời và đóng vụ việc.", SourceKind.PRESS_INQUIRY,
             Topic.OTHER, Severity.ROUTINE, unit="GDTrH", outlet="Báo Thanh Niên", reporter="Lê Thị Mỹ Duyên",
             trigger=LegalTrigger.PRESS_REQUEST, close_reason=CloseReason.ANSWERED),
    DemoCase(CaseStatus.CLOSED, 100, "Phản ánh trùng về thu tiền máy lạnh",
             "Cùng nội dung với một phản ánh đã tiếp nhận.", SourceKind.PUBLIC_FEEDBACK,
             Topic.FACILITIES_FINANCE_TUITION, Severity.ROUTINE, close_reason=CloseReason.DUPLICATE),
    DemoCase(CaseStatus.IN_PROGRESS, 15, "Giáo viên mầm non bị tố bạo hành trẻ",
             "Clip camera lan truyền trên mạng xã hội cho thấy giáo viên một nhóm trẻ tư thục đánh trẻ.",
             SourceKind.SOCIAL_MEDIA, Topic.ETHICS_SCHOOL_SAFETY, Severity.CRISIS, unit="GDMN",
             supporting=("TTr",), trigger=LegalTrigger.MAJOR_EVENT, occurred_hours_ago=16,
             tags=("bao-hanh-tre",)),
]  # fmt: skip

# The case actions that bring a new case to each status, and who performs each step. From ``in_progress`` on, the
# case's statements (STATEMENTS below) drive it: submitting, approving and publishing its main response.
PATHS: dict[CaseStatus, list[tuple[Action, str]]] = {
    CaseStatus.NEW: [],
    CaseStatus.ASSIGNED: [(Action.ASSIGN, "office")],
    CaseStatus.IN_PROGRESS: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head")],
    CaseStatus.ON_HOLD: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head"), (Action.HOLD, "@head")],
    CaseStatus.AWAITING_APPROVAL: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head")],
    CaseStatus.APPROVED: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head")],
    CaseStatus.PUBLISHED: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head")],
}


@dataclass
class DemoStatement:
    """A statement of a demo case, taken as far as ``stage`` (draft, submitted, returned, approved, published)."""

    kind: StatementKind
    versions: tuple[str, ...]
    title: str | None = None
    stage: str = "published"
    approver: str = "spokesperson"
    comment: str | None = None  # the spokesperson's comment when the stage is "returned"
    refusal: tuple[RefusalGround, str] | None = None
    corrects_first: bool = False  # a correction of the case's first notice
    early: bool = True  # initial information comes within hours of receipt (the 24-hour clock)


_CHECKED = Checklist(no_state_secret=True, no_private_data=True, no_pending_proceedings=True)

# The statements of the demo cases, by case title. Times are spread over the case's life, in this order.
STATEMENTS: dict[str, tuple[DemoStatement, ...]] = {
    "Bài báo: học sinh bị bạo lực học đường tại trường THCS": (
        DemoStatement(StatementKind.INITIAL_INFORMATION, (
            "Sở Giáo dục và Đào tạo đã nắm thông tin về clip học sinh lớp 8 đánh bạn trong giờ ra chơi. Sở đã chỉ "
            "đạo Phòng Văn hóa - Xã hội phường Xuân Hòa và nhà trường xác minh, hỗ trợ y tế và tâm lý cho học sinh, "
            "làm việc với gia đình các em. Kết quả xác minh sẽ được thông tin ngay khi có.",),
            title="Thông tin ban đầu về vụ việc học sinh bị bạo lực tại trường THCS"),
    ),
    "Đề thi thử lớp 12 bị lộ trước giờ thi": (
        DemoStatement(StatementKind.INITIAL_INFORMATION, (
            "Sở Giáo dục và Đào tạo đã tiếp nhận thông tin về việc ảnh đề thi thử môn Toán lớp 12 lan truyền trước "
            "giờ thi. Đây là kỳ thi thử do nhà trường tổ chức, không phải kỳ thi chính thức. Sở đã yêu cầu nhà "
            "trường dừng sử dụng đề thi này và báo cáo toàn bộ quy trình ra đề, in sao, bảo quản đề.",),
            title="Thông tin ban đầu về việc lộ đề thi thử lớp 12", approver="head.kt", early=False),
        DemoStatement(StatementKind.RESPONSE, (
            "Kết quả xác minh: đề thi thử bị chụp tại khâu in sao của nhà trường.",
            "Kết quả xác minh ban đầu: đề thi thử môn Toán lớp 12 bị chụp ảnh tại khâu in sao của nhà trường.\n"
            "Sở đã yêu cầu nhà trường kiểm điểm trách nhiệm cá nhân liên quan và tổ chức lại kỳ thi thử.",
        ), title="Kết quả xác minh việc lộ đề thi thử lớp 12", stage="draft"),
    ),
    "Thông tin sai sự thật về việc bỏ môn Lịch sử": (
        DemoStatement(StatementKind.REBUTTAL, (
            "Thông tin Sở bỏ môn Lịch sử khỏi kỳ kiểm tra học kỳ là không đúng sự thật.",
            "Thông tin \"Sở bỏ môn Lịch sử khỏi kỳ kiểm tra học kỳ\" đăng trên Trang tin điện tử Tin Nhanh 24h là "
            "không đúng sự thật. Môn Lịch sử vẫn được kiểm tra theo Chương trình giáo dục phổ thông 2018. Sở đề "
            "nghị cơ quan báo chí cải chính, xin lỗi theo quy định.",
        ), title="Phản hồi thông tin sai sự thật về môn Lịch sử", stage="returned",
            comment="Bổ sung căn cứ: văn bản hướng dẫn kiểm tra học kỳ I năm học 2026-2027 của Sở."),
    ),
    "Giáo viên mầm non bị tố bạo hành trẻ": (
        DemoStatement(StatementKind.INITIAL_INFORMATION, (
            "Sở Giáo dục và Đào tạo đã tiếp nhận thông tin về clip giáo viên một nhóm trẻ tư thục có hành vi bạo "
            "hành trẻ. Sở đã phối hợp với chính quyền địa phương đình chỉ hoạt động của nhóm trẻ, đề nghị cơ quan "
            "Công an vào cuộc và bố trí hỗ trợ các gia đình. Sở sẽ tiếp tục thông tin khi có kết quả.",),
            title="Thông tin ban đầu về vụ việc tại một nhóm trẻ tư thục"),
    ),
    "Khiếu nại về kết quả xét tuyển lớp 6 trường chuyên": (
        DemoStatement(StatementKind.REFUSAL, (
            "Sở Giáo dục và Đào tạo chưa cung cấp thông tin về nội dung khiếu nại kết quả xét tuyển lớp 6.",),
            title="Về đề nghị cung cấp thông tin khiếu nại kết quả xét tuyển lớp 6", stage="draft",
            refusal=(RefusalGround.PROCEEDINGS_PENDING,
                     "Khiếu nại đang được Thanh tra Sở giải quyết, chưa có kết luận chính thức.")),
    ),
    "Học phí trường công lập năm học mới tăng": (
        DemoStatement(StatementKind.RESPONSE, (
            "Mức học phí năm học 2026-2027 thực hiện theo nghị quyết của Hội đồng nhân dân Thành phố.",
            "Mức học phí năm học 2026-2027 đối với trường công lập thực hiện theo nghị quyết của Hội đồng nhân dân "
            "Thành phố. Học sinh thuộc diện chính sách tiếp tục được miễn, giảm học phí theo quy định; phụ huynh "
            "liên hệ nhà trường để được hướng dẫn hồ sơ.",
        ), title="Trả lời báo chí về học phí năm học 2026-2027", stage="submitted"),
    ),
    "Cổng tuyển sinh đầu cấp bị quá tải": (
        DemoStatement(StatementKind.RESPONSE, (
            "Cổng tuyển sinh đầu cấp bị nghẽn trong ngày đầu do lượng truy cập tăng đột biến. Sở đã nâng cấp hạ "
            "tầng, hệ thống hoạt động ổn định từ 20 giờ cùng ngày. Thời hạn đăng ký được kéo dài thêm 02 ngày; "
            "phụ huynh đã đăng ký thành công không cần đăng ký lại.",),
            title="Thông báo về sự cố cổng tuyển sinh đầu cấp", stage="approved"),
    ),
    "Ngộ độc thực phẩm tại bếp ăn bán trú trường tiểu học": (
        DemoStatement(StatementKind.INITIAL_INFORMATION, (
            "Sở Giáo dục và Đào tạo thông tin: trưa nay, 32 học sinh Trường Tiểu học Bến Thành có biểu hiện đau "
            "bụng sau bữa ăn bán trú và đã được đưa đi khám. Sở đã phối hợp ngành y tế lấy mẫu thực phẩm để xét "
            "nghiệm, tạm dừng hợp đồng với đơn vị cung cấp suất ăn.",),
            title="Thông tin ban đầu về vụ việc học sinh đau bụng sau bữa ăn bán trú"),
        DemoStatement(StatementKind.CORRECTION, (
            "Đính chính Thông cáo báo chí về vụ việc học sinh đau bụng sau bữa ăn bán trú: số học sinh có biểu hiện "
            "đau bụng là 28 học sinh (không phải 32 học sinh như đã thông tin).",),
            title="Đính chính số liệu trong thông cáo về vụ việc tại Trường Tiểu học Bến Thành", corrects_first=True),
        DemoStatement(StatementKind.RESPONSE, (
            "Kết quả xét nghiệm mẫu thực phẩm xác định nguyên nhân do món ăn không bảo đảm an toàn.",
            "Kết quả xét nghiệm của cơ quan y tế xác định nguyên nhân do món gỏi gà không bảo đảm an toàn thực "
            "phẩm. Tất cả học sinh đã ổn định sức khỏe và trở lại lớp. Sở đã chấm dứt hợp đồng với đơn vị cung cấp "
            "suất ăn và chỉ đạo các trường rà soát toàn bộ bếp ăn bán trú.",
        ), title="Thông báo kết quả xác minh vụ việc tại Trường Tiểu học Bến Thành"),
    ),
    "Kế hoạch chuyển đổi số trong quản lý hồ sơ học sinh": (
        DemoStatement(StatementKind.RESPONSE, (
            "Từ năm học 2026-2027, 100% trường phổ thông trên địa bàn Thành phố sử dụng học bạ số. Hồ sơ học sinh "
            "được lưu trữ trên cơ sở dữ liệu ngành, phụ huynh tra cứu qua ứng dụng chính thức của Sở, không thu phí.",),
            title="Trả lời báo chí về lộ trình triển khai học bạ số", approver="director"),
    ),
    "Phản hồi thông tin sai về việc cấm học sinh đi xe máy điện": (
        DemoStatement(StatementKind.REBUTTAL, (
            "Sở Giáo dục và Đào tạo không ban hành văn bản nào cấm học sinh trung học phổ thông đi xe máy điện. "
            "Thông tin lan truyền trên một số trang mạng xã hội là sai sự thật. Sở đề nghị các trang này gỡ bỏ "
            "thông tin và cải chính theo quy định.",),
            title="Phản hồi thông tin sai sự thật về việc cấm học sinh đi xe máy điện"),
    ),
    "Hỏi về lịch nghỉ Tết Nguyên đán của học sinh": (
        DemoStatement(StatementKind.RESPONSE, (
            "Học sinh trên địa bàn Thành phố nghỉ Tết Nguyên đán theo kế hoạch thời gian năm học đã ban hành; lịch "
            "nghỉ cụ thể được đăng trên cổng thông tin điện tử của Sở.",),
            title="Trả lời báo chí về lịch nghỉ Tết Nguyên đán"),
    ),
}  # fmt: skip

# One written per-case authorisation (Decree 244/2026 Art. 3.5): the director authorises the head of the
# examinations division to speak on the leaked mock exam, until a week from now.
AUTHORISATIONS: dict[str, str] = {"Đề thi thử lớp 12 bị lộ trước giờ thi": "head.kt"}


def _head_of(unit_code: str, heads: dict[str, str]) -> str:
    return heads.get(unit_code, "office")


def load_demo(session: Session, *, settings: Settings, progress: Progress | None = None,
              now: datetime | None = None) -> str:  # fmt: skip
    now = now or utcnow()
    hasher = password_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)

    units: dict[str, Unit] = {}
    for code, name, name_en, kind, parent, (c_name, c_title, c_phone, c_email) in UNITS:
        unit = Unit(code=code, name=name, name_en=name_en, kind=kind, contact_name=c_name, contact_title=c_title,
                    contact_phone=c_phone, contact_email=c_email, created_at=now,
                    parent_id=units[parent].id if parent else None)  # fmt: skip
        session.add(unit)
        session.flush()
        units[code] = unit
    if progress:
        progress.print(f"{len(units)} units")

    actors: dict[str, Actor] = {}
    heads: dict[str, str] = {}
    for username, full_name, title, email, phone, grants in USERS:
        user = create_user(
            session,
            data=UserCreate(
                username=username, full_name=full_name, title=title, email=email, phone=phone,
                password=DEMO_PASSWORD + "-placeholder",
                roles=[GrantIn(role=role, unit=unit) for role, unit in grants],
            ),
            now=now, hasher=hasher, actor=None,
        )  # fmt: skip
        user.password_hash = hasher.hash(DEMO_PASSWORD)
        session.add(user)
        actors[username] = load_actor(session, user)
        for role, unit_code in grants:
            if role == Role.UNIT_HEAD and unit_code:
                heads[unit_code] = username
    # Every unit that leads a demo case gets a head, so that each case can be accepted by its own unit.
    spare_names = iter(SPARE_HEADS)
    for spec in CASES:
        if spec.unit and spec.unit not in heads:
            username = f"head.{spec.unit.lower()}"
            full_name = next(spare_names)
            user = create_user(
                session,
                data=UserCreate(username=username, full_name=full_name,
                                title=f"Trưởng đơn vị, {units[spec.unit].name}",
                                password=DEMO_PASSWORD + "-placeholder",
                                roles=[GrantIn(role=Role.UNIT_HEAD, unit=spec.unit)]),
                now=now, hasher=hasher, actor=None,
            )  # fmt: skip
            user.password_hash = hasher.hash(DEMO_PASSWORD)
            actors[username] = load_actor(session, user)
            heads[spec.unit] = username
    session.flush()
    if progress:
        progress.print(f"{len(actors)} accounts")

    # The director appoints the standing spokesperson before the oldest demo case.
    appointed = now - timedelta(hours=max(c.hours_ago for c in CASES) + 100)
    spokespersons.appoint_spokesperson(
        session,
        actor=actors["director"],
        data=AppointmentCreate(
            username="spokesperson", title="Chánh Văn phòng Sở", phone="028 3829 1000",
            email="phatngon@sgddt.example.gov.vn", decision_number="125/QĐ-SGDĐT",
            decision_date=local_date(appointed),
        ),
        now=appointed,
    )  # fmt: skip

    office = actors["office"]
    timed: list[tuple[datetime, Step]] = []
    opened: list[tuple[Case, DemoCase]] = []
    by_title: dict[str, Case] = {}
    for spec in CASES:
        received = now - timedelta(hours=spec.hours_ago)
        case = cases.open_case(
            session,
            actor=office,
            data=CaseCreate(
                title=spec.title, summary=spec.summary, source_kind=spec.source_kind, topic=spec.topic,
                severity=spec.severity, outlet=spec.outlet, reporter_name=spec.reporter, source_url=spec.url,
                received_at=received, legal_trigger=spec.trigger,
                occurred_at=now - timedelta(hours=spec.occurred_hours_ago) if spec.occurred_hours_ago else None,
                impact_determined_at=received + timedelta(hours=1)
                if spec.trigger == LegalTrigger.DIVIDED_OPINION else None,
                tags=list(spec.tags),
            ),
            now=received,
        )  # fmt: skip
        timed += _walk(session, case, spec, actors, heads, received, now, settings.org_abbreviation)
        opened.append((case, spec))
        by_title[spec.title] = case
    # Everything happens in time order across cases, so notice numbers follow their publication dates.
    for at, step in sorted(timed, key=lambda t: t[0]):
        step(at)
    for case, spec in opened:
        if case.status != spec.status:
            raise RuntimeError(f"demo case {case.reference} ended {case.status}, not {spec.status}")
    tasks = _tasks(session, by_title, actors["spokesperson"], now)
    events = _press_events(session, by_title, office, now)
    press = monitor_demo.load(session, now=now)
    load_demo_templates(session, now=now)
    _crisis(session, by_title, actors, now, settings)
    for name, domain in PRESS_OUTLETS:  # the mailbox opens a press inquiry for mail from these domains
        add_outlet(session, actor=None, data=PressOutletIn(name=name, domain=domain), now=now)
    story_count = _stories(session, actors=actors, units=units, settings=settings, now=now)
    statements_count = sum(len(v) for v in STATEMENTS.values())
    if progress:
        progress.print(
            f"{len(CASES)} cases, {statements_count} statements, {tasks} tasks, {events} press events, "
            f"{story_count} stories"
        )
        progress.print(press)
    return (
        f"{len(units)} units, {len(actors)} accounts, {len(CASES)} cases, {statements_count} statements, "
        f"{tasks} tasks, {events} press events, {story_count} stories, {press}"
    )


# Crisis mode: the duty roster (a week from yesterday) and one case in crisis, declared 14 hours ago, its two
# pages acknowledged within minutes.
CRISIS_CASE = "Giáo viên mầm non bị tố bạo hành trẻ"
ROSTER: list[tuple[DutyRole, str, int]] = [
    (DutyRole.SPOKESPERSON, "spokesperson", 1),
    (DutyRole.PRESS_OFFICER, "office", 1),
    (DutyRole.PRESS_OFFICER, "office2", 2),
]


def _crisis(session: Session, cases_by_title: dict[str, Case], actors: dict[str, Actor], now: datetime,
            settings: Settings) -> None:  # fmt: skip
    start, end = now - timedelta(days=1), now + timedelta(days=7)
    items = [ShiftIn(role=role, user=user, starts_at=start, ends_at=end, position=pos) for role, user, pos in ROSTER]
    crisis_service.put_roster(session, actor=actors["admin"], data=RosterIn(items=items), now=start, locale="vi")
    case = cases_by_title[CRISIS_CASE]
    declared = now - timedelta(hours=14)
    paging = crisis_paging.Paging(timedelta(minutes=settings.page_ack_minutes), settings.public_base_url,
                                   settings.secret_key.get_secret_value(), email=False)  # fmt: skip
    crisis_service.declare_crisis(
        session, actor=actors["spokesperson"], reference=case.reference, now=declared, paging=paging, locale="vi",
        data=CrisisIn(level=2, reason="Clip camera lan truyền mạnh trên mạng xã hội; nhiều cơ quan báo chí liên hệ."),
    )  # fmt: skip
    for i, page in enumerate(crisis_paging.list_pages(session, actor=actors["director"], reference=case.reference)):
        crisis_paging.ack_page(session, actor=actors[page.user], page_id=page.id,
                                now=declared + timedelta(minutes=4 + 2 * i), via="app")  # fmt: skip


# Press outlets known by their mail domain (docs/channels.md: mail from them opens a press inquiry).
PRESS_OUTLETS: list[tuple[str, str]] = [
    ("Báo Tuổi Trẻ", "tuoitre.vn"), ("Báo Thanh Niên", "thanhnien.vn"), ("Báo Người Lao Động", "nld.com.vn"),
    ("Báo Sài Gòn Giải Phóng", "sggp.org.vn"), ("Báo Giáo dục và Thời đại", "giaoducthoidai.vn"),
    ("VnExpress", "vnexpress.net"), ("Báo Pháp Luật TP.HCM", "plo.vn"),
]  # fmt: skip


# Tasks the spokesperson gave units (Decree 244/2026 Art. 4.2): title of the case, unit, request, given (hours
# ago), due (hours from now; negative: already overdue).
TASKS: list[tuple[str, str, str, float, float]] = [
    ("Giáo viên mầm non bị tố bạo hành trẻ", "TTr",
     "Đề nghị Thanh tra Sở cung cấp kết quả kiểm tra ban đầu tại nhóm trẻ tư thục.", 10, 2),
    ("Giáo viên mầm non bị tố bạo hành trẻ", "VHXH-BENTHANH",
     "Đề nghị cung cấp thông tin về giấy phép hoạt động của nhóm trẻ.", 12, -3),
    ("Thông tin sai sự thật về việc bỏ môn Lịch sử", "GDTrH",
     "Đề nghị cung cấp văn bản hướng dẫn kiểm tra học kỳ môn Lịch sử năm học 2026-2027.", 8, 20),
]  # fmt: skip


# Press events the press office logged (the yearly report's indicators 1 and 2): kind, held (hours ago), title,
# spokesperson, title of the spokesperson, organiser, the titles of the cases raised.
PRESS_EVENTS: list[tuple[PressEventKind, float, str, str, str, str | None, tuple[str, ...]]] = [
    (PressEventKind.PRESS_CONFERENCE, 190, "Họp báo thông tin vụ việc học sinh đau bụng sau bữa ăn bán trú",
     "Võ Thanh Bình", "Chánh Văn phòng Sở", None, ("Ngộ độc thực phẩm tại bếp ăn bán trú trường tiểu học",)),
    (PressEventKind.PRESS_BRIEFING, 72, "Giao ban báo chí tháng 11: lộ trình học bạ số và hồ sơ học sinh điện tử",
     "Võ Thanh Bình", "Chánh Văn phòng Sở", "Ban Tuyên giáo và Dân vận Thành ủy",
     ("Kế hoạch chuyển đổi số trong quản lý hồ sơ học sinh",)),
    (PressEventKind.EXTERNAL_PRESS_CONFERENCE, 20, "Họp báo định kỳ của UBND Thành phố: học phí năm học 2026-2027",
     "Đặng Quốc Hưng", "Giám đốc Sở", "Ủy ban nhân dân Thành phố Hồ Chí Minh",
     ("Học phí trường công lập năm học mới tăng",)),
]  # fmt: skip


def _press_events(session: Session, cases_by_title: dict[str, Case], office: Actor, now: datetime) -> int:
    for kind, hours_ago, title, speaker, speaker_title, organiser, case_titles in PRESS_EVENTS:
        held = now - timedelta(hours=hours_ago)
        refs = [cases_by_title[t].reference for t in case_titles if t in cases_by_title]
        data = PressEventCreate(kind=kind, held_at=held, title=title, spokesperson_name=speaker,
                                spokesperson_title=speaker_title, organiser=organiser, cases=refs)  # fmt: skip
        create_press_event(session, actor=office, data=data, now=held + timedelta(hours=2))
    return len(PRESS_EVENTS)


def _tasks(session: Session, cases_by_title: dict[str, Case], spokesperson: Actor, now: datetime) -> int:
    """A few tasks, one of them overdue, so that the demo shows every kind of clock."""
    count = 0
    for title, unit, request, given_hours_ago, due_in_hours in TASKS:
        case = cases_by_title.get(title)
        if case is None:
            continue
        given = now - timedelta(hours=given_hours_ago)
        data = TaskCreate(unit=unit, request=request, due_at=now + timedelta(hours=due_in_hours))
        create_task(session, actor=spokesperson, reference=case.reference, now=given, data=data)
        count += 1
    return count


Step = Callable[[datetime], object]


def _walk(session: Session, case: Case, spec: DemoCase, actors: dict[str, Actor], heads: dict[str, str],
          received: datetime, now: datetime, issuer: str) -> list[tuple[datetime, Step]]:  # fmt: skip
    """The timed steps that bring the case to its demo status: the case actions, then its statements (which
    drive the rest). Initial information comes first, within hours of receipt (the 24-hour clock)."""
    answered = spec.status == CaseStatus.CLOSED and spec.close_reason == CloseReason.ANSWERED
    path = PATHS[CaseStatus.PUBLISHED] if answered else PATHS.get(spec.status, [])
    early: list[Step] = []
    steps: list[Step] = []
    for action, who in path:
        username = _head_of(spec.unit or "", heads) if who == "@head" else who

        def transition(at: datetime, action: Action = action, username: str = username) -> None:
            cases.transition_case(
                session, actor=actors[username], case=case, action=action, now=at,
                lead_unit=spec.unit if action == Action.ASSIGN else None,
                supporting_units=list(spec.supporting) if action == Action.ASSIGN else None,
            )  # fmt: skip

        steps.append(transition)
    if spec.title in AUTHORISATIONS:
        steps.append(lambda at: _authorise(session, case, actors, AUTHORISATIONS[spec.title], at, now))
    notices: list[Notice] = []
    for demo in STATEMENTS.get(spec.title, ()):
        planned = _statement_steps(session, case, spec, demo, actors, heads, notices, issuer)
        (early if demo.kind == StatementKind.INITIAL_INFORMATION and demo.early else steps).extend(planned)
    if spec.status == CaseStatus.CLOSED:

        def close(at: datetime) -> None:
            cases.transition_case(
                session, actor=actors["office"], case=case, action=Action.CLOSE, now=at, reason=spec.close_reason,
                note="Đã trả lời báo chí." if answered else "Trùng với vụ việc đã có.",
            )  # fmt: skip

        steps.append(close)
    span = max((now - received).total_seconds() / 3600 * 0.8, 0.1)
    head_start = min(len(early), span / 2)  # about an hour a step
    timed = [(received + timedelta(hours=head_start * (i + 1) / (len(early) + 1)), step)
             for i, step in enumerate(early)]  # fmt: skip
    rest = span - head_start
    timed += [(received + timedelta(hours=head_start + rest * (i + 1) / (len(steps) + 1)), step)
              for i, step in enumerate(steps)]  # fmt: skip
    return timed


def _authorise(session: Session, case: Case, actors: dict[str, Actor], username: str, at: datetime,
               now: datetime) -> None:  # fmt: skip
    user = demo_user(session, username)
    spokespersons.grant_authorisation(
        session, actor=actors["director"], case=case, now=at,
        data=AuthorisationCreate(
            username=username, number="37/GUQ-SGDĐT", signed_on=local_date(at),
            valid_until=local_date(now + timedelta(days=7)), title=user.title,
            matters="Phát ngôn, cung cấp thông tin cho báo chí về vụ việc lộ đề thi thử môn Toán lớp 12.",
        ),
    )  # fmt: skip


def _statement_steps(session: Session, case: Case, spec: DemoCase, demo: DemoStatement, actors: dict[str, Actor],
                     heads: dict[str, str], notices: list[Notice], issuer: str) -> list[Step]:  # fmt: skip
    """Draft (and edit), then submit, return or approve, and publish, each step a moment of the case's life."""
    head = _head_of(spec.unit or "", heads)
    drafter = "office" if demo.kind in (StatementKind.INITIAL_INFORMATION, StatementKind.CORRECTION) else head
    submitter = "office" if drafter == "office" else head
    held: dict[str, Statement] = {}

    def draft(at: datetime) -> None:
        corrects = notices[0].number if demo.corrects_first else None
        ground, reason = demo.refusal if demo.refusal else (None, None)
        held["s"] = statements.create_statement(
            session, actor=actors[drafter], case=case, now=at,
            data=StatementCreate(kind=demo.kind, text=demo.versions[0], title=demo.title, corrects=corrects,
                                 refusal_ground=ground, refusal_reason=reason),
        )  # fmt: skip

    def edit(text: str, who: str) -> Step:
        return lambda at: statements.add_version(session, actor=actors[who], statement=held["s"], case=case,
                                                 data=VersionCreate(text=text), now=at)  # fmt: skip

    def submit(at: datetime) -> None:
        statements.submit(session, actor=actors[submitter], statement=held["s"], case=case, note=None, now=at)

    def review(at: datetime) -> None:
        if demo.stage == "returned":
            statements.return_statement(session, actor=actors["spokesperson"], statement=held["s"], case=case,
                                        comment=demo.comment or "", now=at)  # fmt: skip
            return
        approver = actors[demo.approver]
        if spokespersons.authority_for(session, actor=approver, case=case, at=at) is None:
            approver = actors["director"]  # e.g. a case judged under Decree 09/2017: no standing spokesperson
        statements.approve(session, actor=approver, statement=held["s"], case=case,
                           data=ApproveIn(checklist=_CHECKED), now=at)  # fmt: skip

    def publish(at: datetime) -> None:
        notices.append(publication.publish(session, actor=actors["office"], statement=held["s"], case=case, at=None,
                                          now=at, issuer=issuer))  # fmt: skip

    steps: list[Step] = [draft]
    steps += [edit(text, "office" if i % 2 == 0 else drafter) for i, text in enumerate(demo.versions[1:])]
    stages = ("draft", "submitted", "returned", "approved", "published")
    if stages.index(demo.stage) >= 1:
        steps.append(submit)
    if demo.stage in ("returned", "approved", "published"):
        steps.append(review)
    if demo.stage == "published":
        steps.append(publish)
    return steps


def demo_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).one()
    return user


# --- the units' own communication (product §11.7) ---------------------------------------------------------------

# Accounts of two schools, so that a school drafts and submits its own stories.
STORY_USERS: list[tuple[str, str, str, Role, str]] = [
    ("handler.ntmk", "Lương Thị Bích", "Phó Hiệu trưởng Trường THPT Nguyễn Thị Minh Khai", Role.HANDLER, "THPT-NTMK"),
    ("head.ntmk", "Trương Công Định", "Hiệu trưởng Trường THPT Nguyễn Thị Minh Khai", Role.UNIT_HEAD, "THPT-NTMK"),
    ("handler.lhp", "Tôn Thất Khoa", "Phó Hiệu trưởng Trường THPT chuyên Lê Hồng Phong", Role.HANDLER, "THPT-LHP"),
    ("head.lhp", "Nguyễn Thị Diệu Linh", "Hiệu trưởng Trường THPT chuyên Lê Hồng Phong", Role.UNIT_HEAD, "THPT-LHP"),
]  # fmt: skip

# Every active unit names its communications contact (the UNITS contact) except this one, which the demo flags.
UNIT_WITHOUT_CONTACT = "VHXH-CONDAO"
RETURN_COMMENT = "Đề nghị bổ sung ảnh, ghi rõ họ tên và chức danh người được nêu trong tin."


@dataclass(frozen=True)
class DemoStory:
    unit: str
    kind: StoryKind
    theme: Topic | None
    title: str
    body: str
    days_ago: float  # drafted
    stage: str  # "draft", "returned" (back with the unit), "submitted", "approved", "published"
    returned_once: bool = False
    office_title: str | None = None  # the press office's edit of the title, before approval


STORIES: list[DemoStory] = [
    DemoStory("THPT-NTMK", StoryKind.EXEMPLARY, Topic.ETHICS_SCHOOL_SAFETY,
              "Nam sinh lớp 11 nhặt được ví tiền, tìm trả người đánh rơi",
              "Chiều 14/10, em Nguyễn Hoàng Phúc, học sinh lớp 11A3 Trường THPT Nguyễn Thị Minh Khai, nhặt được "
              "một chiếc ví có 7,5 triệu đồng cùng giấy tờ tùy thân trên đường Điện Biên Phủ.\n"
              "Em đã mang đến nộp cho thầy giám thị để tìm người đánh rơi. Chủ chiếc ví là một tiểu thương ở chợ "
              "Bàn Cờ đã đến trường cảm ơn em.\nNhà trường đã tuyên dương em trước toàn trường trong buổi chào cờ.",
              44, "published", returned_once=True,
              office_title="Học sinh Trường THPT Nguyễn Thị Minh Khai trả lại ví 7,5 triệu đồng"),
    DemoStory("THPT-NTMK", StoryKind.NEWS, Topic.DIGITAL_TRANSFORMATION,
              "Trường THPT Nguyễn Thị Minh Khai triển khai học bạ số cho toàn bộ học sinh",
              "Từ năm học 2026-2027, 100% học sinh của trường được cấp học bạ số, ký số bởi hiệu trưởng.\n"
              "Phụ huynh tra cứu kết quả học tập qua ứng dụng của Sở; nhà trường đã tổ chức 3 buổi hướng dẫn.",
              20, "approved"),
    DemoStory("THPT-NTMK", StoryKind.NEWS, Topic.EDUCATION_QUALITY,
              "Ngày hội đọc sách “Mỗi trang sách, một ước mơ”",
              "Hơn 1.500 học sinh tham gia ngày hội đọc sách do Đoàn trường tổ chức, với 12 gian trưng bày và "
              "cuộc thi giới thiệu sách bằng video ngắn.", 3, "draft"),
    DemoStory("THPT-LHP", StoryKind.EXEMPLARY, Topic.EDUCATION_QUALITY,
              "Học sinh Trường THPT chuyên Lê Hồng Phong đoạt huy chương vàng Olympic Tin học châu Á",
              "Em Trần Gia Huy, lớp 12 Tin, đạt huy chương vàng Olympic Tin học châu Á - Thái Bình Dương năm 2026.\n"
              "Đây là lần thứ ba liên tiếp học sinh của trường đạt huy chương vàng tại kỳ thi này.",
              60, "published"),
    DemoStory("THPT-LHP", StoryKind.NEWS, Topic.ETHICS_SCHOOL_SAFETY,
              "Tọa đàm “Học đường an toàn, không bạo lực”",
              "Nhà trường phối hợp Công an phường tổ chức tọa đàm cho 900 học sinh khối 10 về phòng, chống bạo lực "
              "học đường và an toàn trên không gian mạng.", 12, "submitted"),
    DemoStory("GDTrH", StoryKind.NEWS, Topic.POLICY_REFORM,
              "Tập huấn dạy học theo Chương trình giáo dục phổ thông 2018 cho giáo viên môn Lịch sử",
              "Phòng Giáo dục Trung học tổ chức 2 đợt tập huấn cho 640 giáo viên môn Lịch sử cấp trung học về "
              "kiểm tra, đánh giá theo định hướng phát triển năng lực.", 52, "published"),
    DemoStory("GDTrH", StoryKind.NEWS, Topic.EDUCATION_QUALITY,
              "Hướng dẫn tổ chức kiểm tra cuối học kỳ I năm học 2026-2027",
              "Phòng Giáo dục Trung học ban hành hướng dẫn kiểm tra cuối học kỳ I, thời gian từ 22/12/2026 đến "
              "10/01/2027.", 6, "returned", returned_once=True),
    DemoStory("GDTH", StoryKind.EXEMPLARY, Topic.TEACHERS_MANAGERS,
              "Cô giáo 25 năm bám lớp ở điểm trường Cần Giờ",
              "Cô Lê Thị Thu Ba, giáo viên Trường Tiểu học Thạnh An, đã gắn bó 25 năm với điểm trường đảo, mỗi "
              "tuần hai lần đi đò sang lớp.\nCô được Bộ Giáo dục và Đào tạo tặng Bằng khen năm 2026.",
              35, "published", office_title="Cô giáo 25 năm đi đò đến lớp ở xã đảo Thạnh An"),
    DemoStory("GDTH", StoryKind.NEWS, Topic.FACILITIES_FINANCE_TUITION,
              "Hoàn thành sửa chữa 38 phòng học trước năm học mới", "Nội dung đang soạn.", 1, "draft"),
    DemoStory("KTKD", StoryKind.NEWS, Topic.EDUCATION_QUALITY,
              "Công bố kế hoạch thi thử tốt nghiệp THPT năm 2027",
              "Phòng Khảo thí và Kiểm định chất lượng giáo dục thông báo kế hoạch thi thử tốt nghiệp THPT dự kiến "
              "tổ chức vào tháng 3/2027 trên toàn Thành phố.", 15, "approved"),
    DemoStory("KHTC", StoryKind.NEWS, Topic.FACILITIES_FINANCE_TUITION,
              "Công khai mức thu học phí năm học 2026-2027",
              "Mức học phí năm học 2026-2027 thực hiện theo Nghị quyết của HĐND Thành phố; học sinh trung học cơ "
              "sở công lập được miễn học phí.", 25, "published"),
    DemoStory("TTr", StoryKind.NEWS, Topic.ADMIN_REFORM_ONLINE_SERVICES,
              "Tiếp nhận phản ánh về dạy thêm, học thêm qua Cổng dịch vụ công",
              "Thanh tra Sở đã tiếp nhận 46 phản ánh về dạy thêm, học thêm qua Cổng dịch vụ công trong tháng 10.",
              9, "submitted", returned_once=True),
]  # fmt: skip


def _stories(session: Session, *, actors: dict[str, Actor], units: dict[str, Unit], settings: Settings,
             now: datetime) -> int:  # fmt: skip
    """Contacts for every unit but one (one of them replaced during the term), the school year's plan, and a
    term of stories in every state."""
    hasher = password_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)
    heads: dict[str, str] = {}
    drafters: dict[str, str] = {"GDTrH": "handler", "GDTH": "handler.th", "KTKD": "handler.kt",
                                "KHTC": "handler.tc", "TTr": "handler.tt"}  # fmt: skip
    heads.update({"GDTrH": "head", "GDTH": "head.th", "KTKD": "head.kt", "KHTC": "head.tc", "TTr": "head.tt"})
    for username, full_name, title, role, unit in STORY_USERS:
        user = create_user(
            session,
            data=UserCreate(username=username, full_name=full_name, title=title,
                            password=DEMO_PASSWORD + "-placeholder", roles=[GrantIn(role=role, unit=unit)]),
            now=now, hasher=hasher, actor=None,
        )  # fmt: skip
        user.password_hash = hasher.hash(DEMO_PASSWORD)
        session.add(user)
        actors[username] = load_actor(session, user)
        (heads if role == Role.UNIT_HEAD else drafters)[unit] = username

    office = actors["office"]
    year = school_year_of(local_date(now))
    term_start = max(year.start, local_date(now - timedelta(days=90)))
    for code, _name, _en, _kind, _parent, (c_name, c_title, c_phone, c_email) in UNITS:
        if code == UNIT_WITHOUT_CONTACT:
            continue
        if code == "GDTrH":  # replaced during the term: the history keeps the first one
            first = ContactIn(name="Phạm Thị Hồng Vân", title="Chuyên viên", starts_on=term_start)
            stories.designate_contact(session, actor=office, unit_code=code, data=first, now=now)
        starts = term_start + timedelta(days=30 if code == "GDTrH" else 0)
        data = ContactIn(name=c_name, title=c_title, phone=c_phone, email=c_email, starts_on=starts)
        stories.designate_contact(session, actor=office, unit_code=code, data=data, now=now)
    stories.save_plan(
        session, actor=office, school_year=year.code, now=now,
        data=PlanIn(themes=[t for t in Topic if t != Topic.OTHER], stories_per_semester=2,
                    targets=[TargetIn(unit="THPT-NTMK", stories_per_semester=3),
                             TargetIn(unit="VP", stories_per_semester=0)]),
    )  # fmt: skip

    for spec in STORIES:
        at = now - timedelta(days=spec.days_ago)
        drafter, head = actors[drafters[spec.unit]], actors[heads[spec.unit]]
        story = stories.create_story(session, actor=drafter, now=at, data=StoryCreate(
            kind=spec.kind, title=spec.title, body=spec.body, unit=spec.unit, theme=spec.theme))  # fmt: skip
        if spec.stage == "draft":
            continue
        step = timedelta(days=min(spec.days_ago, 10) / 8)
        at += step
        stories.step(session, actor=head, story=story, action=StoryAction.SUBMIT, now=at)
        if spec.returned_once:
            at += step
            stories.step(session, actor=office, story=story, action=StoryAction.RETURN, now=at, comment=RETURN_COMMENT)
            if spec.stage == "returned":
                continue
            at += step
            stories.edit_story(session, actor=drafter, story=story, now=at,
                               data=StoryUpdate(body=spec.body + "\n(Ảnh: Đoàn trường cung cấp.)"))  # fmt: skip
            at += step
            stories.step(session, actor=head, story=story, action=StoryAction.SUBMIT, now=at)
        if spec.stage == "submitted":
            continue
        if spec.office_title:
            at += step
            stories.edit_story(session, actor=office, story=story, now=at, data=StoryUpdate(title=spec.office_title))
        at += step
        stories.step(session, actor=office, story=story, action=StoryAction.APPROVE, now=at)
        if spec.stage == "approved":
            continue
        at += step
        stories.step(session, actor=office, story=story, action=StoryAction.PUBLISH, now=at)
    # The inspectorate answers the information task the spokesperson gave it (the scorecard's days to the facts).
    task = session.exec(select(Task).where(Task.unit_id == units["TTr"].id)).first()
    if task is not None:
        answer = TaskAnswer(answer="Kết quả kiểm tra ban đầu: nhóm trẻ chưa có giấy phép hoạt động.")
        answer_task(session, actor=actors["head.tt"], task_id=task.id or 0, now=task.created_at + timedelta(hours=6),
                    data=answer)  # fmt: skip
    return len(STORIES)
