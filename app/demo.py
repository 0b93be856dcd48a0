"""Demo data: a realistic Sở GD&ĐT with its units, the demo accounts and cases in every status.

Everything goes through the same services as the web app, so the demo's history (timelines) is real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import Session, select

from app.auth.permissions import Actor, Role
from app.auth.service import DEMO_PASSWORD, load_actor, password_hasher
from app.cases import service as cases
from app.cases.models import Case, CaseCreate
from app.cases.vocabulary import LegalTrigger, Severity, SourceKind, Topic
from app.cases.workflow import Action, CaseStatus, CloseReason
from app.db import utcnow
from app.org.models import GrantIn, Unit, UnitKind, User, UserCreate
from app.org.service import create_user
from app.settings import Settings
from app.tasks.models import TaskCreate
from app.tasks.service import create_task


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

# The path of actions that brings a new case to each status, and who performs each step.
PATHS: dict[CaseStatus, list[tuple[Action, str]]] = {
    CaseStatus.NEW: [],
    CaseStatus.ASSIGNED: [(Action.ASSIGN, "office")],
    CaseStatus.IN_PROGRESS: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head")],
    CaseStatus.ON_HOLD: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head"), (Action.HOLD, "@head")],
    CaseStatus.AWAITING_APPROVAL: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head"), (Action.SUBMIT, "@head")],
    CaseStatus.APPROVED: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head"), (Action.SUBMIT, "@head"),
                          (Action.APPROVE, "spokesperson")],
    CaseStatus.PUBLISHED: [(Action.ASSIGN, "office"), (Action.ACCEPT, "@head"), (Action.SUBMIT, "@head"),
                           (Action.APPROVE, "spokesperson"), (Action.PUBLISH, "office")],
}  # fmt: skip


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

    office = actors["office"]
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
        _walk(session, case, spec, actors, heads, received, now)
        by_title[spec.title] = case
    tasks = _tasks(session, by_title, actors["spokesperson"], now)
    if progress:
        progress.print(f"{len(CASES)} cases, {tasks} tasks")
    return f"{len(units)} units, {len(actors)} accounts, {len(CASES)} cases, {tasks} tasks"


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


def _walk(session: Session, case: Case, spec: DemoCase, actors: dict[str, Actor], heads: dict[str, str],
          received: datetime, now: datetime) -> None:  # fmt: skip
    steps = list(PATHS.get(spec.status, []))
    if spec.status == CaseStatus.CLOSED:
        steps = [] if spec.close_reason != CloseReason.ANSWERED else PATHS[CaseStatus.PUBLISHED]
    span = max((now - received).total_seconds() / 3600 * 0.8, 0.1)
    for i, (action, who) in enumerate(steps):
        at = received + timedelta(hours=span * (i + 1) / (len(steps) + 1))
        username = _head_of(spec.unit or "", heads) if who == "@head" else who
        cases.transition_case(
            session,
            actor=actors[username],
            case=case,
            action=action,
            now=at,
            lead_unit=spec.unit if action == Action.ASSIGN else None,
            supporting_units=list(spec.supporting) if action == Action.ASSIGN else None,
            note=None,
            via_statement=action in (Action.SUBMIT, Action.APPROVE, Action.PUBLISH),
        )
    if spec.status == CaseStatus.CLOSED:
        cases.transition_case(
            session,
            actor=actors["office"],
            case=case,
            action=Action.CLOSE,
            now=received + timedelta(hours=span),
            reason=spec.close_reason,
            note="Đã trả lời báo chí." if spec.close_reason == CloseReason.ANSWERED else "Trùng với vụ việc đã có.",
        )


def demo_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).one()
    return user
