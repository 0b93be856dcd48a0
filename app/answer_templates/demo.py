"""The holding statements (thông tin ban đầu) the demo ships: the situations a Sở's press office meets every
school year. Each is a template the office adapts; the placeholders are filled for the case it is used on."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.answer_templates.models import TemplateCreate
from app.answer_templates.service import create_template
from app.cases.vocabulary import Topic
from app.statements.rules import StatementKind

HOLDING = StatementKind.INITIAL_INFORMATION

DEMO_TEMPLATES: list[tuple[str, Topic, str]] = [
    (
        "Thông tin ban đầu — Tai nạn trong trường học",
        Topic.ETHICS_SCHOOL_SAFETY,
        "Ngày {received_date}, Sở Giáo dục và Đào tạo nhận được thông tin từ {outlet} về việc học sinh bị tai nạn "
        "trong giờ học tại trường (hồ sơ {case_reference}).\n"
        "Ngay khi nhận thông tin, Sở đã chỉ đạo {unit_name} phối hợp với nhà trường kiểm tra, nắm tình hình; ưu "
        "tiên hàng đầu là chăm sóc, điều trị cho học sinh và hỗ trợ gia đình. Nhà trường đã đưa học sinh đến cơ sở "
        "y tế và thông báo cho cha mẹ học sinh.\n"
        "Sở đang xác minh nguyên nhân sự việc và trách nhiệm của các cá nhân liên quan; kết quả sẽ được thông tin "
        "đầy đủ khi có kết luận. Đề nghị các cơ quan báo chí không đăng tải hình ảnh, thông tin cá nhân của học "
        "sinh.\n"
        "Người phát ngôn: {spokesperson_name}.",
    ),
    (
        "Thông tin ban đầu — Tin đồn lộ đề thi",
        Topic.EDUCATION_QUALITY,
        "Liên quan đến thông tin {outlet} phản ánh về việc đề thi bị lộ (hồ sơ {case_reference}, tiếp nhận ngày "
        "{received_date}), Sở Giáo dục và Đào tạo thông tin ban đầu như sau:\n"
        "Đề thi được ra, in sao, bảo quản và vận chuyển theo đúng quy chế, có niêm phong và biên bản bàn giao ở "
        "từng khâu. Sở đã chỉ đạo {unit_name} rà soát toàn bộ quy trình, đối chiếu đề thi với nội dung lan truyền "
        "trên mạng xã hội và phối hợp với cơ quan công an để xác minh nguồn gốc thông tin.\n"
        "Trong khi chờ kết quả xác minh, kỳ thi vẫn diễn ra theo kế hoạch. Sở đề nghị học sinh, cha mẹ học sinh "
        "không chia sẻ thông tin chưa được kiểm chứng. Kết quả xác minh sẽ được Sở công bố chính thức.\n"
        "Người phát ngôn: {spokesperson_name}.",
    ),
    (
        "Thông tin ban đầu — Thu tiền trái quy định",
        Topic.FACILITIES_FINANCE_TUITION,
        "Ngày {received_date}, {outlet} phản ánh việc nhà trường thu các khoản ngoài quy định đầu năm học (hồ sơ "
        "{case_reference}).\n"
        "Sở Giáo dục và Đào tạo đã giao {unit_name} kiểm tra ngay các khoản thu của nhà trường, đối chiếu với quy "
        "định về học phí, các khoản thu dịch vụ phục vụ hoạt động giáo dục và việc vận động tài trợ. Nguyên tắc "
        "của Sở: không thu khi chưa được cha mẹ học sinh thống nhất, không ép buộc, không thu bình quân.\n"
        "Nếu có khoản thu sai quy định, Sở sẽ yêu cầu nhà trường hoàn trả cho cha mẹ học sinh và xử lý trách "
        "nhiệm người đứng đầu theo quy định. Kết quả kiểm tra sẽ được thông tin đến cơ quan báo chí.\n"
        "Người phát ngôn: {spokesperson_name}.",
    ),
    (
        "Thông tin ban đầu — Phản ánh giáo viên vi phạm đạo đức nhà giáo",
        Topic.TEACHERS_MANAGERS,
        "Sở Giáo dục và Đào tạo đã nhận được thông tin {outlet} phản ánh về hành vi của một giáo viên đối với học "
        "sinh (hồ sơ {case_reference}, tiếp nhận ngày {received_date}).\n"
        "Sở đã chỉ đạo {unit_name} và nhà trường làm việc với giáo viên, học sinh và cha mẹ học sinh để xác minh; "
        "trong thời gian xác minh, giáo viên tạm thời không đứng lớp. Nhà trường bố trí giáo viên tâm lý hỗ trợ "
        "học sinh.\n"
        "Sở khẳng định không dung thứ hành vi vi phạm đạo đức nhà giáo; nếu có vi phạm sẽ xử lý nghiêm theo quy "
        "định. Vì quyền lợi của học sinh, đề nghị không nêu tên, hình ảnh của học sinh và gia đình.\n"
        "Người phát ngôn: {spokesperson_name}.",
    ),
]


def load_demo_templates(session: Session, *, now: datetime) -> int:
    for name, topic, text in DEMO_TEMPLATES:
        data = TemplateCreate(name=name, kind=HOLDING, topic=topic, text=text)
        create_template(session, actor=None, data=data, now=now)
    return len(DEMO_TEMPLATES)
