"""Writes tests/data/monitor_clusters.json: the labelled set the clustering is measured on (bench/README.md).

40 stories written for the purpose (real-looking, invented: schools and places are real names, events are not),
three per subject (and four follow-ups: the same school or event, a later and different story), so that every
story has others on the same subject that must NOT join it (same words:
"lạm thu", "phụ huynh", "điểm chuẩn"…; other school, other people, other figures). Each story is then carried by
one to eight outlets, the way the press does it:

* syndication — the same title and text under another outlet;
* a rewritten headline — another title, the same text;
* a lightly edited text — sentences dropped or swapped, words replaced by their usual synonyms, another title;
* a short version — a feed's summary: the title and the first sentence only.

Deterministic (seed 2026): ``python bench/make_cluster_set.py`` rewrites the same file.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "monitor_clusters.json"
DEMO = ROOT / "app" / "monitor" / "demo_items.json"  # the demo's two weeks of press items (app/monitor/demo.py)

OUTLETS = ["Tuổi Trẻ", "Thanh Niên", "VnExpress", "Dân trí", "Người Lao Động", "Sài Gòn Giải Phóng",
           "Pháp Luật TP.HCM", "Lao Động", "Tiền Phong", "VietNamNet", "Giáo dục và Thời đại", "Znews",
           "Báo Mới", "Vietnamplus"]  # fmt: skip

SYNONYMS = [
    ("phụ huynh", "cha mẹ học sinh"), ("cho biết", "thông tin"), ("nhà trường", "trường"),
    ("học sinh", "học trò"), ("giáo viên", "thầy cô"), ("hiệu trưởng", "lãnh đạo nhà trường"),
    ("Sở Giáo dục và Đào tạo TP.HCM", "Sở GD-ĐT TP.HCM"), ("đã yêu cầu", "vừa yêu cầu"),
    ("khoảng", "chừng"), ("phản ánh", "phản ảnh"), ("ngày", "hôm"), ("kiểm tra", "rà soát"),
]  # fmt: skip

# (subject, titles, sentences): the first title is the original, the others are rewrites.
STORIES: list[tuple[str, list[str], list[str]]] = [
    (
        "lam_thu",
        [
            "Phụ huynh Trường THCS Nguyễn Du phản ánh bị thu hơn 4 triệu đồng đầu năm",
            "Trường THCS Nguyễn Du bị tố lạm thu đầu năm học",
            "Hơn 4 triệu đồng mỗi học sinh: phụ huynh THCS Nguyễn Du bức xúc",
        ],
        [
            "Nhiều phụ huynh Trường THCS Nguyễn Du, phường Bến Thành, phản ánh mỗi học sinh lớp 6 phải nộp hơn 4 triệu "
            "đồng trong tuần đầu năm học.",
            "Các khoản gồm tiền máy lạnh, tiền tivi, quỹ ban đại diện cha mẹ học sinh và tiền đồng phục.",
            "Bà Trần Thị Mai, phụ huynh lớp 6A3, cho biết danh sách khoản thu được gửi qua nhóm Zalo mà không có cuộc "
            "họp nào.",
            "Hiệu trưởng Lê Văn Thành cho biết trường sẽ rà soát lại các khoản thu thỏa thuận.",
            "Sở Giáo dục và Đào tạo TP.HCM đã yêu cầu phường Bến Thành kiểm tra và báo cáo trước ngày 20/9.",
        ],
    ),
    (
        "lam_thu",
        [
            "Trường tiểu học Kim Đồng thu quỹ lớp 1,5 triệu đồng, phụ huynh lên tiếng",
            "Quỹ lớp 1,5 triệu ở Tiểu học Kim Đồng gây tranh cãi",
            "Phụ huynh tiểu học ở Gò Vấp phản đối quỹ lớp cao",
        ],
        [
            "Ban đại diện cha mẹ học sinh lớp 3/2 Trường tiểu học Kim Đồng, phường Gò Vấp, đề nghị mỗi gia đình đóng "
            "1,5 triệu đồng quỹ lớp.",
            "Khoản tiền dự kiến dùng để mua rèm cửa, sửa quạt trần và tổ chức liên hoan cuối kỳ.",
            "Anh Nguyễn Hoàng Phúc, một phụ huynh, cho rằng mức đóng quá cao so với thu nhập của nhiều gia đình công "
            "nhân trong lớp.",
            "Ban giám hiệu cho biết đã yêu cầu ban đại diện hoàn trả tiền cho phụ huynh không đồng ý.",
            "Phòng Văn hóa - Xã hội phường Gò Vấp đang xác minh vụ việc.",
        ],
    ),
    (
        "lam_thu",
        [
            "Trường THPT Trần Phú ở Bình Dương thu tiền học thêm bắt buộc",
            "Học sinh lớp 12 Trường THPT Trần Phú phải đóng tiền ôn thi bắt buộc",
            "Thu tiền ôn thi tốt nghiệp 'tự nguyện' nhưng bắt buộc ở THPT Trần Phú",
        ],
        [
            "Học sinh lớp 12 Trường THPT Trần Phú, phường Thủ Dầu Một, phải nộp 2,8 triệu đồng tiền ôn thi tốt nghiệp "
            "cho cả học kỳ.",
            "Phiếu đăng ký ghi là tự nguyện nhưng giáo viên chủ nhiệm nhắc nhở các em chưa nộp trước lớp.",
            "Em Võ Minh Khang, lớp 12C4, cho biết nhiều bạn phải xin tiền cha mẹ dù không muốn học buổi chiều.",
            "Phó hiệu trưởng Đặng Thị Hương nói trường sẽ tổ chức lại việc đăng ký và trả lại tiền cho học sinh không "
            "học.",
            "Thanh tra Sở đã làm việc với nhà trường sáng ngày 18/9.",
        ],
    ),
    (
        "bao_luc",
        [
            "Nữ sinh lớp 8 bị nhóm bạn đánh hội đồng ở phường Tân Định",
            "Clip nữ sinh lớp 8 bị đánh hội đồng lan truyền trên mạng",
            "Công an vào cuộc vụ nữ sinh THCS bị bạn đánh tại Tân Định",
        ],
        [
            "Một đoạn video dài hơn hai phút ghi cảnh nữ sinh lớp 8 Trường THCS Đoàn Thị Điểm, phường Tân Định, bị bốn "
            "bạn nữ đánh, giật tóc sau giờ tan học.",
            "Sự việc xảy ra chiều 12/10 tại con hẻm cách cổng trường khoảng 200 mét.",
            "Nạn nhân bị bầm tím vùng mặt và được gia đình đưa đi khám tại Bệnh viện Nhi đồng 2.",
            "Hiệu trưởng Phạm Thị Lan cho biết trường đã mời phụ huynh các em liên quan lên làm việc.",
            "Công an phường Tân Định đang xác minh và làm rõ nguyên nhân.",
        ],
    ),
    (
        "bao_luc",
        [
            "Nam sinh lớp 10 bị bạn cùng lớp dùng ghế đánh chấn thương đầu",
            "Học sinh THPT Nguyễn Thị Minh Khai nhập viện sau khi bị bạn đánh bằng ghế",
            "Ẩu đả trong lớp học, một nam sinh lớp 10 phải khâu 5 mũi",
        ],
        [
            "Trong giờ ra chơi sáng 3/11, nam sinh N.T.K. lớp 10A7 Trường THPT Nguyễn Thị Minh Khai bị bạn cùng lớp dùng "
            "ghế nhựa đánh vào đầu.",
            "Em K. được đưa đến Bệnh viện Chợ Rẫy, bác sĩ khâu 5 mũi và theo dõi chấn thương.",
            "Theo một số học sinh, hai em mâu thuẫn từ một bình luận trên mạng xã hội.",
            "Nhà trường đã tạm cho học sinh đánh bạn nghỉ học 3 ngày để tổ chức họp hội đồng kỷ luật.",
            "Phòng tư vấn tâm lý của trường đang hỗ trợ cả hai em.",
        ],
    ),
    (
        "bao_luc",
        [
            "Cô giáo ở Củ Chi bị tố véo tai, tát học sinh lớp 2",
            "Phụ huynh tố cô giáo tiểu học véo tai con đến bầm",
            "Xã Củ Chi tạm đình chỉ cô giáo bị tố đánh học sinh lớp 2",
        ],
        [
            "Phụ huynh em H.G.B., học sinh lớp 2 Trường tiểu học Tân Thông Hội, xã Củ Chi, tố cô chủ nhiệm véo tai và tát "
            "con vì chưa làm xong bài.",
            "Người mẹ đăng ảnh vành tai bầm tím của con lên Facebook, thu hút hàng nghìn lượt chia sẻ.",
            "Ủy ban nhân dân xã Củ Chi đã tạm đình chỉ đứng lớp với giáo viên này trong 15 ngày.",
            "Bà Huỳnh Thị Ngọc, hiệu trưởng, cho biết cô giáo đã thừa nhận có véo tai học sinh.",
            "Sở Giáo dục và Đào tạo TP.HCM yêu cầu xử lý nghiêm nếu đúng như phản ánh.",
        ],
    ),
    (
        "tuyen_sinh",
        [
            "TP.HCM công bố điểm chuẩn lớp 10 công lập năm 2026",
            "Điểm chuẩn vào lớp 10 TP.HCM: Trường Nguyễn Thượng Hiền cao nhất 24,25",
            "Đã có điểm chuẩn lớp 10 tại TP.HCM, nhiều trường giảm nhẹ",
        ],
        [
            "Sở Giáo dục và Đào tạo TP.HCM chiều 4/7 công bố điểm chuẩn vào lớp 10 của 118 trường THPT công lập.",
            "Trường THPT Nguyễn Thượng Hiền có điểm chuẩn nguyện vọng 1 cao nhất với 24,25 điểm, tiếp theo là THPT Gia "
            "Định với 23,5 điểm.",
            "So với năm 2025, điểm chuẩn của khoảng 60% số trường giảm từ 0,25 đến 1 điểm.",
            "Thí sinh trúng tuyển nộp hồ sơ nhập học trực tuyến từ ngày 6/7 đến 17 giờ ngày 10/7.",
            "Khoảng 30.000 học sinh không trúng tuyển lớp 10 công lập sẽ học tại trường tư thục, giáo dục thường xuyên.",
        ],
    ),
    (
        "tuyen_sinh",
        [
            "Cổng đăng ký tuyển sinh đầu cấp bị lỗi, phụ huynh thức trắng đêm",
            "Hệ thống tuyển sinh đầu cấp TP.HCM nghẽn ngày đầu mở cổng",
            "Phụ huynh vật vã đăng ký cho con vào lớp 1 vì cổng tuyển sinh lỗi",
        ],
        [
            "Ngay trong đêm đầu tiên mở cổng đăng ký tuyển sinh lớp 1 và lớp 6, nhiều phụ huynh không thể đăng nhập vì "
            "hệ thống báo lỗi.",
            "Chị Lê Thu Trang ở phường Phú Nhuận cho biết đã thử hơn 20 lần từ 22 giờ đến 2 giờ sáng nhưng không thành "
            "công.",
            "Trung tâm Thông tin và Chương trình giáo dục giải thích lượng truy cập cùng lúc vượt 300.000 lượt.",
            "Sở Giáo dục và Đào tạo TP.HCM quyết định kéo dài thời gian đăng ký thêm 3 ngày.",
            "Đơn vị vận hành đã nâng cấp máy chủ và hệ thống hoạt động ổn định từ trưa cùng ngày.",
        ],
    ),
    (
        "tuyen_sinh",
        [
            "Trường chuyên Lê Hồng Phong tăng chỉ tiêu lớp 10 chuyên Tin học",
            "Lê Hồng Phong mở thêm lớp chuyên Tin, tuyển 70 học sinh",
            "Chỉ tiêu lớp 10 chuyên năm học mới: Tin học tăng mạnh",
        ],
        [
            "Trường THPT chuyên Lê Hồng Phong dự kiến tuyển 70 học sinh lớp 10 chuyên Tin học, gấp đôi năm trước.",
            "Việc tăng chỉ tiêu nhằm đáp ứng nhu cầu nhân lực công nghệ thông tin và trí tuệ nhân tạo.",
            "Thí sinh thi môn chuyên Tin học theo hình thức lập trình trên máy tính trong 150 phút.",
            "Thầy Phạm Quốc Huy, tổ trưởng Tin học, cho biết trường đã đầu tư thêm hai phòng máy mới.",
            "Tổng chỉ tiêu lớp 10 chuyên của trường năm nay là 595 học sinh.",
        ],
    ),
    (
        "hoc_phi",
        [
            "HĐND TP.HCM thông qua miễn học phí cho học sinh THPT công lập",
            "Học sinh THPT công lập TP.HCM được miễn học phí từ năm học mới",
            "TP.HCM chi hơn 1.900 tỷ đồng miễn học phí cho học sinh",
        ],
        [
            "Hội đồng nhân dân TP.HCM vừa thông qua nghị quyết miễn học phí cho học sinh THPT công lập từ năm học "
            "2026-2027.",
            "Ngân sách thành phố dự kiến chi khoảng 1.900 tỷ đồng mỗi năm cho chính sách này.",
            "Học sinh trường tư thục được hỗ trợ học phí bằng mức thu của trường công lập cùng cấp.",
            "Đại biểu Nguyễn Văn Lâm đánh giá chính sách giúp giảm gánh nặng cho khoảng 1,6 triệu gia đình.",
            "Sở Giáo dục và Đào tạo TP.HCM sẽ hướng dẫn các trường thực hiện từ tháng 9.",
        ],
    ),
    (
        "hoc_phi",
        [
            "Trường quốc tế ở Thủ Đức tăng học phí 15%, phụ huynh phản đối",
            "Phụ huynh trường song ngữ ở Thủ Đức ký đơn phản đối tăng học phí",
            "Tăng học phí giữa năm, phụ huynh Trường Quốc tế Việt Úc bức xúc",
        ],
        [
            "Hàng trăm phụ huynh Trường Quốc tế Việt Úc, phường Thủ Đức, ký đơn phản đối việc tăng học phí 15% ngay "
            "giữa năm học.",
            "Theo thông báo, học phí lớp 9 tăng từ 280 triệu lên 322 triệu đồng mỗi năm.",
            "Anh Trương Minh Đức, đại diện nhóm phụ huynh, cho rằng nhà trường không công khai lộ trình tăng phí từ đầu "
            "năm.",
            "Đại diện trường giải thích chi phí giáo viên nước ngoài và thuê mặt bằng đã tăng mạnh.",
            "Sở Giáo dục và Đào tạo TP.HCM đề nghị trường tổ chức đối thoại với phụ huynh.",
        ],
    ),
    (
        "hoc_phi",
        [
            "Học sinh Côn Đảo được hỗ trợ tiền ăn trưa và học phí",
            "Đặc khu Côn Đảo hỗ trợ 100% học phí và tiền ăn cho học sinh",
            "Côn Đảo dành 12 tỷ đồng hỗ trợ học sinh các cấp",
        ],
        [
            "Ủy ban nhân dân đặc khu Côn Đảo quyết định hỗ trợ toàn bộ học phí và tiền ăn trưa cho 1.850 học sinh các "
            "cấp.",
            "Tổng kinh phí dự kiến khoảng 12 tỷ đồng, lấy từ ngân sách đặc khu.",
            "Mỗi học sinh bán trú được hỗ trợ 35.000 đồng mỗi bữa ăn trưa trong 9 tháng.",
            "Bà Lý Thị Hoa, trưởng phòng Văn hóa - Xã hội, cho biết chính sách nhằm giữ chân học sinh ở lại đảo học tập.",
            "Chính sách áp dụng từ học kỳ II năm học 2026-2027.",
        ],
    ),
    (
        "giao_vien",
        [
            "TP.HCM thiếu hơn 3.000 giáo viên tiếng Anh và Tin học tiểu học",
            "Thiếu giáo viên tiểu học dạy tiếng Anh, Tin học trầm trọng",
            "Hơn 3.000 giáo viên tiếng Anh, Tin học còn thiếu ở bậc tiểu học TP.HCM",
        ],
        [
            "Theo báo cáo của Sở Giáo dục và Đào tạo TP.HCM, bậc tiểu học đang thiếu 3.120 giáo viên, chủ yếu là tiếng "
            "Anh và Tin học.",
            "Nhiều trường ở xã Bình Chánh, xã Hóc Môn phải mời giáo viên thỉnh giảng hoặc ghép lớp.",
            "Mức lương khởi điểm thấp khiến sinh viên sư phạm tiếng Anh chọn làm việc cho trung tâm ngoại ngữ.",
            "Ông Nguyễn Bảo Quốc đề xuất cơ chế thu hút với phụ cấp thêm 2 triệu đồng mỗi tháng.",
            "Thành phố dự kiến tuyển dụng bổ sung trước tháng 12.",
        ],
    ),
    (
        "giao_vien",
        [
            "Gần 400 giáo viên TP.HCM nghỉ việc trong năm học vừa qua",
            "Giáo viên nghỉ việc tăng: gần 400 người rời ngành ở TP.HCM",
            "Vì sao gần 400 giáo viên TP.HCM bỏ nghề?",
        ],
        [
            "Trong năm học 2025-2026, 392 giáo viên các cấp tại TP.HCM nghỉ việc, tăng 18% so với năm trước.",
            "Bậc mầm non chiếm gần một nửa số giáo viên nghỉ với 187 người.",
            "Cô Đỗ Ngọc Ánh, từng dạy mầm non 9 năm ở phường Bình Tân, cho biết thu nhập không đủ trang trải tiền thuê "
            "nhà.",
            "Áp lực hồ sơ sổ sách và phản ứng của phụ huynh trên mạng xã hội cũng là lý do được nhắc đến.",
            "Sở Giáo dục và Đào tạo TP.HCM đang khảo sát để đề xuất chính sách hỗ trợ nhà ở cho giáo viên.",
        ],
    ),
    (
        "giao_vien",
        [
            "Giáo viên Trường THPT Bùi Thị Xuân chưa nhận lương tăng thêm 3 tháng",
            "Chậm chi thu nhập tăng thêm, giáo viên THPT Bùi Thị Xuân lên tiếng",
            "Giáo viên phản ánh bị nợ thu nhập tăng thêm suốt một quý",
        ],
        [
            "Hơn 80 giáo viên Trường THPT Bùi Thị Xuân, phường Bến Thành, phản ánh chưa nhận thu nhập tăng thêm của "
            "tháng 7, 8 và 9.",
            "Theo quy định của thành phố, mỗi giáo viên được hưởng thu nhập tăng thêm từ 3 đến 5 triệu đồng mỗi tháng.",
            "Kế toán trường cho biết hồ sơ quyết toán bị trả về do sai mẫu biểu.",
            "Hiệu trưởng Trương Văn Bình cam kết sẽ chi trả đủ trước ngày 30/11.",
            "Công đoàn ngành giáo dục thành phố đang theo dõi vụ việc.",
        ],
    ),
    (
        "ban_tru",
        [
            "32 học sinh Trường tiểu học Lương Thế Vinh nhập viện nghi ngộ độc thực phẩm",
            "Nghi ngộ độc sau bữa trưa bán trú, 32 học sinh tiểu học phải cấp cứu",
            "Vụ học sinh ngộ độc ở phường Tân Sơn Nhì: tạm dừng suất ăn bán trú",
        ],
        [
            "Sau bữa trưa bán trú ngày 14/3, 32 học sinh Trường tiểu học Lương Thế Vinh, phường Tân Sơn Nhì, có biểu "
            "hiện đau bụng, nôn ói.",
            "Các em được đưa đến Bệnh viện quận Tân Phú cũ, nay là Bệnh viện Tân Phú, để theo dõi và điều trị.",
            "Thực đơn bữa trưa gồm cơm, gà chiên nước mắm, canh bí đỏ và bánh flan.",
            "Ban An toàn thực phẩm TP.HCM đã lấy mẫu thức ăn để xét nghiệm và tạm dừng hợp đồng với công ty cung cấp suất "
            "ăn.",
            "Đến tối cùng ngày, 28 em đã được xuất viện.",
        ],
    ),
    (
        "ban_tru",
        [
            "Phụ huynh chụp ảnh suất ăn bán trú 'nghèo nàn' ở trường mầm non Hoa Sen",
            "Suất ăn bán trú 25.000 đồng chỉ có vài miếng thịt gây bức xúc",
            "Mầm non Hoa Sen giải trình về suất ăn bị chê kém chất lượng",
        ],
        [
            "Hình ảnh khay cơm chỉ có vài miếng thịt nhỏ và ít rau tại Trường mầm non Hoa Sen, phường Hạnh Thông, lan "
            "truyền trên mạng xã hội.",
            "Phụ huynh cho biết mỗi ngày đóng 25.000 đồng tiền ăn nhưng khẩu phần không tương xứng.",
            "Hiệu trưởng Lâm Thị Kiều giải thích ảnh được chụp trước khi giáo viên chia thêm thức ăn.",
            "Phòng Văn hóa - Xã hội phường Hạnh Thông đã kiểm tra đột xuất bếp ăn và yêu cầu công khai thực đơn hằng "
            "tuần.",
            "Nhà trường cam kết mời phụ huynh giám sát bữa ăn định kỳ.",
        ],
    ),
    (
        "ban_tru",
        [
            "TP.HCM kiểm tra 500 bếp ăn trường học sau các vụ ngộ độc",
            "Ra quân kiểm tra an toàn thực phẩm tại 500 bếp ăn bán trú",
            "Siết chặt an toàn thực phẩm trong trường học TP.HCM",
        ],
        [
            "Sở Giáo dục và Đào tạo TP.HCM phối hợp Sở Y tế kiểm tra 500 bếp ăn tập thể trường học trong tháng 4.",
            "Đợt kiểm tra tập trung vào nguồn gốc thực phẩm, hợp đồng cung cấp và lưu mẫu thức ăn 24 giờ.",
            "Trường nào vi phạm nghiêm trọng sẽ bị đình chỉ bếp ăn và công bố công khai.",
            "Ông Hồ Tấn Minh, Chánh Văn phòng Sở, cho biết kết quả sẽ được tổng hợp trước ngày 15/5.",
            "Năm 2025 thành phố ghi nhận 6 vụ ngộ độc thực phẩm liên quan đến trường học.",
        ],
    ),
    (
        "day_them",
        [
            "Giáo viên Trường THCS Lê Lợi bị tố ép học sinh học thêm tại nhà",
            "Học sinh THCS Lê Lợi bị 'ép' học thêm môn Toán",
            "Phụ huynh tố giáo viên Toán dạy thêm, ra đề kiểm tra giống bài học thêm",
        ],
        [
            "Phụ huynh lớp 8/5 Trường THCS Lê Lợi, phường Xuân Hòa, tố giáo viên Toán ép học sinh học thêm tại nhà với "
            "mức 800.000 đồng mỗi tháng.",
            "Theo phản ánh, đề kiểm tra giữa kỳ có nhiều bài giống hệt bài tập ở lớp học thêm.",
            "Những học sinh không học thêm có điểm kiểm tra thấp hơn hẳn các bạn.",
            "Nhà trường đã lập tổ xác minh và tạm phân công giáo viên khác ra đề.",
            "Theo Thông tư 29, giáo viên không được dạy thêm có thu tiền với học sinh mình đang dạy chính khóa.",
        ],
    ),
    (
        "day_them",
        [
            "TP.HCM siết dạy thêm theo Thông tư 29: hơn 1.200 cơ sở phải đăng ký",
            "Hơn 1.200 cơ sở dạy thêm ở TP.HCM phải đăng ký kinh doanh",
            "Dạy thêm ngoài nhà trường: TP.HCM yêu cầu đăng ký trước 30/6",
        ],
        [
            "Sở Giáo dục và Đào tạo TP.HCM yêu cầu hơn 1.200 cơ sở dạy thêm ngoài nhà trường hoàn tất đăng ký kinh doanh "
            "trước ngày 30/6.",
            "Các cơ sở phải công khai môn học, thời lượng, địa điểm và mức thu trên cổng thông tin của phường, xã.",
            "Giáo viên trường công lập dạy thêm ngoài trường phải báo cáo hiệu trưởng về môn và đối tượng học sinh.",
            "Đợt kiểm tra liên ngành sẽ bắt đầu từ tháng 7.",
            "Cơ sở không đăng ký có thể bị phạt đến 40 triệu đồng.",
        ],
    ),
    (
        "day_them",
        [
            "Trung tâm luyện thi ở Gia Định hoạt động không phép, học sinh học đến 22 giờ",
            "Phát hiện trung tâm luyện thi không phép ở phường Gia Định",
            "Học sinh học thêm đến 10 giờ đêm tại trung tâm không phép",
        ],
        [
            "Đoàn kiểm tra liên ngành phường Gia Định phát hiện một trung tâm luyện thi trên đường Phan Đăng Lưu hoạt động "
            "không có giấy phép.",
            "Thời điểm kiểm tra lúc 21 giờ 30, trung tâm có 45 học sinh lớp 9 và lớp 12 đang học.",
            "Chủ trung tâm là ông N.V.T., từng là giáo viên một trường THPT công lập.",
            "Đoàn đã lập biên bản, yêu cầu dừng hoạt động và chuyển hồ sơ để xử phạt.",
            "Phụ huynh được khuyến cáo kiểm tra giấy phép trước khi cho con đi học thêm.",
        ],
    ),
    (
        "de_thi",
        [
            "Lộ đề thi thử tốt nghiệp THPT, Sở yêu cầu tổ chức thi lại môn Hóa",
            "Đề Hóa thi thử lớp 12 bị lộ trên mạng trước giờ thi",
            "TP.HCM hủy kết quả môn Hóa kỳ thi thử vì lộ đề",
        ],
        [
            "Đề thi thử tốt nghiệp THPT môn Hóa học của cụm trường phía Đông bị đăng lên một nhóm Facebook khoảng 40 phút "
            "trước giờ thi.",
            "Kỳ thi thử do 14 trường THPT ở phường Thủ Đức, phường Linh Xuân và phường Tam Bình phối hợp tổ chức.",
            "Sở Giáo dục và Đào tạo TP.HCM yêu cầu hủy kết quả môn Hóa và tổ chức thi lại vào ngày 22/4.",
            "Thanh tra Sở đang làm rõ khâu in sao và bàn giao đề.",
            "Hơn 9.000 học sinh lớp 12 bị ảnh hưởng.",
        ],
    ),
    (
        "de_thi",
        [
            "Đề kiểm tra Ngữ văn lớp 7 có đoạn trích gây tranh cãi",
            "Phụ huynh phản ứng đoạn trích trong đề kiểm tra Ngữ văn lớp 7",
            "Trường THCS Colette rút kinh nghiệm vì đề Văn không phù hợp lứa tuổi",
        ],
        [
            "Đề kiểm tra giữa kỳ môn Ngữ văn lớp 7 của Trường THCS Colette, phường Xuân Hòa, dùng đoạn trích có từ ngữ "
            "thô tục.",
            "Nhiều phụ huynh cho rằng đoạn trích từ một tiểu thuyết đương đại không phù hợp với học sinh 12 tuổi.",
            "Tổ trưởng tổ Ngữ văn cho biết đoạn trích được chọn để học sinh phân tích ngôn ngữ nhân vật.",
            "Hiệu trưởng đã xin lỗi phụ huynh và yêu cầu tổ chuyên môn rút kinh nghiệm.",
            "Bài kiểm tra vẫn được tính điểm bình thường.",
        ],
    ),
    (
        "de_thi",
        [
            "Học sinh TP.HCM đoạt 8 huy chương Olympic Toán quốc gia 2026",
            "TP.HCM giành 8 huy chương kỳ thi học sinh giỏi quốc gia môn Toán",
            "Đội tuyển Toán TP.HCM đạt kết quả cao nhất 5 năm",
        ],
        [
            "Đội tuyển Toán TP.HCM giành 2 huy chương vàng, 3 huy chương bạc và 3 huy chương đồng tại kỳ thi chọn học "
            "sinh giỏi quốc gia.",
            "Em Nguyễn Gia Bảo, lớp 12 Trường Phổ thông Năng khiếu, đạt điểm cao nhất với 38/42 điểm.",
            "Đây là thành tích tốt nhất của đội tuyển Toán thành phố trong 5 năm qua.",
            "Thầy Trịnh Đức Tâm, trưởng đoàn, cho biết các em được tập huấn 4 tháng với giảng viên đại học.",
            "Hai em có điểm cao nhất được gọi vào vòng chọn đội tuyển Olympic quốc tế.",
        ],
    ),
    (
        "chuyen_doi_so",
        [
            "TP.HCM triển khai học bạ số cho toàn bộ học sinh tiểu học",
            "Học bạ giấy ở tiểu học TP.HCM được thay bằng học bạ số",
            "Từ năm nay, học sinh tiểu học TP.HCM dùng học bạ điện tử",
        ],
        [
            "Sở Giáo dục và Đào tạo TP.HCM triển khai học bạ số cho hơn 650.000 học sinh tiểu học từ học kỳ I năm học "
            "2026-2027.",
            "Học bạ số được ký số bởi giáo viên chủ nhiệm và hiệu trưởng, có giá trị pháp lý như học bạ giấy.",
            "Phụ huynh có thể tra cứu học bạ của con qua ứng dụng định danh điện tử VNeID.",
            "Bà Lê Thị Thanh Hà, Trưởng phòng Giáo dục tiểu học, cho biết giáo viên sẽ được tập huấn trong tháng 8.",
            "Các trường được cấp chữ ký số miễn phí trong năm đầu.",
        ],
    ),
    (
        "chuyen_doi_so",
        [
            "Phụ huynh phàn nàn phải trả 300.000 đồng cho sổ liên lạc điện tử",
            "Sổ liên lạc điện tử thu phí: phụ huynh hỏi có bắt buộc không",
            "Sở yêu cầu không thu phí sổ liên lạc điện tử bắt buộc",
        ],
        [
            "Nhiều phụ huynh ở phường Phú Lâm phản ánh nhà trường yêu cầu đóng 300.000 đồng mỗi năm cho ứng dụng sổ liên "
            "lạc điện tử.",
            "Theo phụ huynh, nếu không đóng, họ sẽ không xem được điểm và thông báo của lớp.",
            "Đại diện công ty cung cấp phần mềm cho biết mức phí gồm tin nhắn SMS và lưu trữ dữ liệu.",
            "Sở Giáo dục và Đào tạo TP.HCM khẳng định sổ liên lạc điện tử là tự nguyện, trường phải có kênh thông tin "
            "miễn phí.",
            "Sở đề nghị các trường rà soát hợp đồng với doanh nghiệp cung cấp dịch vụ.",
        ],
    ),
    (
        "chuyen_doi_so",
        [
            "Phần mềm quản lý trường học gặp sự cố, mất dữ liệu điểm của 40 trường",
            "Sự cố phần mềm khiến 40 trường mất điểm giữa kỳ",
            "Giáo viên phải nhập lại điểm vì phần mềm quản lý trường học lỗi",
        ],
        [
            "Một sự cố máy chủ của phần mềm quản lý trường học khiến dữ liệu điểm giữa kỳ của khoảng 40 trường THCS bị mất.",
            "Giáo viên các trường ở phường Bình Dương, phường Thuận An phải nhập lại điểm từ sổ ghi chép.",
            "Nhà cung cấp phần mềm cho biết bản sao lưu gần nhất được tạo trước sự cố 6 ngày.",
            "Sở Giáo dục và Đào tạo TP.HCM yêu cầu nhà cung cấp khắc phục và báo cáo nguyên nhân trong 48 giờ.",
            "Thời hạn khóa sổ điểm được lùi thêm một tuần.",
        ],
    ),
    (
        "co_so_vat_chat",
        [
            "Mảng trần phòng học Trường tiểu học Phan Đình Phùng bất ngờ rơi xuống",
            "Sập trần thạch cao lớp học, 2 học sinh bị thương nhẹ",
            "Trần lớp học rơi trong giờ học, Trường Phan Đình Phùng tạm dừng 4 phòng",
        ],
        [
            "Khoảng 10 giờ sáng 9/10, một mảng trần thạch cao rộng chừng 3 mét vuông tại phòng học lớp 4/1 Trường tiểu "
            "học Phan Đình Phùng, phường Vũng Tàu, rơi xuống.",
            "Hai học sinh bị trầy xước nhẹ ở tay và được nhân viên y tế trường sơ cứu.",
            "Theo nhà trường, trận mưa lớn đêm trước làm nước thấm qua mái tôn xuống trần.",
            "Ủy ban nhân dân phường Vũng Tàu đã cho tạm dừng sử dụng 4 phòng học cùng dãy để kiểm định.",
            "Học sinh các lớp này được chuyển sang học tại phòng chức năng.",
        ],
    ),
    (
        "co_so_vat_chat",
        [
            "Xã Bình Chánh thiếu 120 phòng học, lớp học vượt 50 học sinh",
            "Sĩ số vượt 50 em mỗi lớp vì thiếu phòng học ở Bình Chánh",
            "Bình Chánh cần gấp 120 phòng học mới",
        ],
        [
            "Xã Bình Chánh đang thiếu khoảng 120 phòng học, khiến nhiều lớp tiểu học có sĩ số vượt 50 học sinh.",
            "Dân số cơ học tăng nhanh do các khu công nghiệp và khu dân cư mới.",
            "Trường tiểu học Tân Kiên phải tổ chức học hai buổi xen kẽ cho khối lớp 1 và lớp 2.",
            "Ông Võ Thành Công, Phó Chủ tịch xã, cho biết đã đề xuất xây mới 3 trường trong giai đoạn 2026-2028.",
            "Sở Giáo dục và Đào tạo TP.HCM đưa Bình Chánh vào danh sách ưu tiên đầu tư.",
        ],
    ),
    (
        "co_so_vat_chat",
        [
            "Trường THCS Phú Mỹ xuống cấp, học sinh học trong phòng dột",
            "Học sinh THCS Phú Mỹ phải kê bàn tránh nước mưa",
            "Ngôi trường 30 năm tuổi ở Phú Mỹ chờ sửa chữa",
        ],
        [
            "Sau gần 30 năm sử dụng, Trường THCS Phú Mỹ, phường Phú Mỹ, xuống cấp nghiêm trọng với nhiều phòng học bị dột.",
            "Mỗi khi mưa lớn, học sinh phải kê bàn sát vào giữa lớp để tránh nước.",
            "Tường nhà vệ sinh nứt dài, nhà trường phải rào chắn một khu vực.",
            "Hiệu trưởng Mai Văn Sơn cho biết hồ sơ xin sửa chữa đã gửi lên 3 năm nhưng chưa được bố trí vốn.",
            "Phường Phú Mỹ dự kiến khởi công cải tạo vào dịp hè 2027.",
        ],
    ),
    (
        "sach",
        [
            "Sách giáo khoa lớp 5 có lỗi in sai bản đồ, nhà xuất bản thu hồi",
            "Thu hồi sách Lịch sử và Địa lí lớp 5 vì in sai bản đồ",
            "Phát hiện lỗi bản đồ trong sách giáo khoa lớp 5",
        ],
        [
            "Nhà xuất bản thông báo thu hồi 12.000 cuốn sách Lịch sử và Địa lí lớp 5 do trang 34 in thiếu một phần bản "
            "đồ.",
            "Lỗi được giáo viên một trường tiểu học ở phường Chợ Lớn phát hiện trong tuần học đầu tiên.",
            "Nhà xuất bản sẽ đổi sách miễn phí tại các trường trong vòng 15 ngày.",
            "Đại diện nhà xuất bản nhận trách nhiệm và xin lỗi giáo viên, học sinh.",
            "Sở Giáo dục và Đào tạo TP.HCM đề nghị các trường thống kê số sách cần đổi.",
        ],
    ),
    (
        "sach",
        [
            "Giá sách giáo khoa năm học mới tăng 8%, phụ huynh lo lắng",
            "Một bộ sách giáo khoa lớp 1 giá gần 300.000 đồng",
            "Sách giáo khoa lại tăng giá trước năm học",
        ],
        [
            "Giá sách giáo khoa năm học 2026-2027 tăng bình quân 8% so với năm trước, có bộ lớp 1 gần 300.000 đồng.",
            "Các nhà xuất bản giải thích giá giấy và chi phí in ấn, vận chuyển đều tăng.",
            "Chị Hà Thị Nguyệt, có hai con học tiểu học, cho biết chi phí sách vở đầu năm đã hơn 1 triệu đồng.",
            "Nhiều trường khuyến khích phụ huynh sử dụng lại sách cũ và lập tủ sách dùng chung.",
            "Thư viện các trường được giao mượn sách cho học sinh khó khăn.",
        ],
    ),
    (
        "sach",
        [
            "TP.HCM chọn bộ sách giáo khoa lớp 12 theo quy định mới",
            "Các trường THPT TP.HCM tự chọn sách giáo khoa lớp 12",
            "Hội đồng chọn sách ở từng trường quyết định sách lớp 12",
        ],
        [
            "Theo quy định mới, từng trường THPT ở TP.HCM tự thành lập hội đồng lựa chọn sách giáo khoa lớp 12.",
            "Hội đồng gồm hiệu trưởng, tổ trưởng chuyên môn, giáo viên và đại diện ban đại diện cha mẹ học sinh.",
            "Danh mục sách được chọn phải công khai trên trang thông tin của trường trước ngày 15/4.",
            "Ông Nguyễn Văn Hiếu cho biết Sở chỉ tổng hợp và hướng dẫn quy trình.",
            "Kết quả chọn sách được dùng ổn định trong ít nhất 3 năm.",
        ],
    ),
    (
        "tai_nan",
        [
            "Xe đưa đón học sinh tông vào dải phân cách, 5 em bị thương",
            "Tai nạn xe đưa đón học sinh trên đường Nguyễn Văn Linh",
            "5 học sinh tiểu học bị thương khi xe đưa đón gặp nạn",
        ],
        [
            "Sáng 16/10, xe 16 chỗ đưa đón học sinh Trường tiểu học Nam Sài Gòn tông vào dải phân cách trên đường Nguyễn "
            "Văn Linh.",
            "Năm học sinh bị thương nhẹ được đưa đến Bệnh viện Nhi đồng Thành phố.",
            "Tài xế khai do tránh một xe máy chuyển làn đột ngột.",
            "Nhà trường đã tạm dừng hợp đồng với đơn vị vận tải để rà soát điều kiện an toàn.",
            "Cảnh sát giao thông đang điều tra nguyên nhân vụ tai nạn.",
        ],
    ),
    (
        "tai_nan",
        [
            "Học sinh lớp 6 đuối nước khi tắm sông ở xã Cần Giờ",
            "Nam sinh đuối nước thương tâm tại sông Lòng Tàu",
            "Cần Giờ: một học sinh tử vong do đuối nước ngày nghỉ lễ",
        ],
        [
            "Chiều 2/9, em L.Q.V., học sinh lớp 6 Trường THCS Cần Thạnh, bị đuối nước khi tắm sông cùng bạn tại xã Cần "
            "Giờ.",
            "Người dân phát hiện và đưa em vào bờ nhưng em đã tử vong.",
            "Hai bạn đi cùng được cứu kịp thời.",
            "Ủy ban nhân dân xã Cần Giờ đã đến thăm hỏi, hỗ trợ gia đình.",
            "Sở Giáo dục và Đào tạo TP.HCM nhắc các trường tăng cường dạy kỹ năng phòng chống đuối nước.",
        ],
    ),
    (
        "tai_nan",
        [
            "Cây đổ trong sân trường mầm non ở phường Sài Gòn, không có thương vong",
            "Cây phượng bật gốc trong sân trường mầm non",
            "Mưa lớn làm cây đổ ở Trường mầm non Hoa Mai",
        ],
        [
            "Cơn mưa lớn kèm gió mạnh chiều 20/6 làm cây phượng cao khoảng 12 mét trong sân Trường mầm non Hoa Mai, phường "
            "Sài Gòn, bật gốc.",
            "Thời điểm cây đổ, các cháu đang ngủ trưa trong lớp nên không có thương vong.",
            "Cây đổ đè sập một phần mái che khu vui chơi.",
            "Phường Sài Gòn đã cử lực lượng cắt dọn và kiểm tra toàn bộ cây xanh trong các trường.",
            "Nhà trường cho trẻ nghỉ một ngày để khắc phục.",
        ],
    ),
    # Follow-ups: the same school or event, a later and different story (they must stay apart from the first).
    (
        "lam_thu",
        [
            "Phường Bến Thành kết luận THCS Nguyễn Du thu sai 3 khoản, yêu cầu hoàn trả",
            "Kết luận vụ thu tiền đầu năm ở THCS Nguyễn Du: hoàn trả gần 900 triệu đồng",
            "THCS Nguyễn Du phải trả lại tiền máy lạnh, tivi cho phụ huynh",
        ],
        [
            "Ủy ban nhân dân phường Bến Thành công bố kết luận kiểm tra các khoản thu đầu năm tại Trường THCS Nguyễn Du.",
            "Đoàn kiểm tra xác định ba khoản tiền máy lạnh, tiền tivi và tiền vệ sinh thu không đúng quy định.",
            "Nhà trường phải hoàn trả tổng cộng gần 900 triệu đồng cho 620 học sinh trong tháng 10.",
            "Hiệu trưởng bị kiểm điểm trách nhiệm trước hội đồng trường.",
            "Phường đề nghị các trường trên địa bàn tự rà soát, công khai dự toán thu chi.",
        ],
    ),
    (
        "bao_luc",
        [
            "Kỷ luật 4 nữ sinh đánh bạn ở Tân Định: chuyển sang giáo dục tại gia đình một tuần",
            "Hội đồng kỷ luật quyết định hình thức xử lý 4 nữ sinh đánh bạn",
            "Nữ sinh bị đánh hội đồng ở Tân Định đã trở lại lớp",
        ],
        [
            "Hội đồng kỷ luật Trường THCS Đoàn Thị Điểm quyết định tạm dừng học tập trên lớp một tuần với 4 nữ sinh đánh "
            "bạn.",
            "Trong thời gian này, các em học tại nhà dưới sự giám sát của gia đình và giáo viên chủ nhiệm.",
            "Nữ sinh bị đánh đã đi học trở lại sau 10 ngày điều trị và được chuyển sang lớp 8A2 theo nguyện vọng.",
            "Nhà trường tổ chức chuyên đề phòng chống bạo lực học đường cho toàn bộ học sinh khối 8.",
            "Cơ quan công an đã xử phạt hành chính với người quay và phát tán clip.",
        ],
    ),
    (
        "tuyen_sinh",
        [
            "Điểm chuẩn bổ sung lớp 10: 12 trường THPT tuyển thêm nguyện vọng 3",
            "TP.HCM công bố điểm chuẩn bổ sung vào lớp 10 công lập",
            "12 trường THPT hạ điểm chuẩn để tuyển bổ sung",
        ],
        [
            "Sau khi thí sinh xác nhận nhập học, 12 trường THPT công lập ở TP.HCM còn thiếu chỉ tiêu và tuyển bổ sung.",
            "Điểm chuẩn bổ sung thấp hơn đợt đầu từ 0,5 đến 2 điểm, chủ yếu ở các trường vùng ven như THPT Bình Chánh, "
            "THPT Cần Giờ.",
            "Học sinh trúng tuyển bổ sung nộp hồ sơ trực tiếp tại trường trong hai ngày 20 và 21/7.",
            "Tổng số chỉ tiêu tuyển bổ sung là 1.430 học sinh.",
            "Những em đã nhập học trường tư thục vẫn được đăng ký tuyển bổ sung.",
        ],
    ),
    (
        "ban_tru",
        [
            "Kết quả xét nghiệm vụ ngộ độc ở Tiểu học Lương Thế Vinh: bánh flan nhiễm khuẩn",
            "Xác định nguyên nhân 32 học sinh ngộ độc: bánh flan nhiễm tụ cầu",
            "Công ty suất ăn bị phạt 90 triệu đồng sau vụ ngộ độc ở Tân Sơn Nhì",
        ],
        [
            "Viện Pasteur TP.HCM kết luận mẫu bánh flan trong bữa trưa ngày 14/3 tại Trường tiểu học Lương Thế Vinh nhiễm "
            "tụ cầu vàng vượt ngưỡng.",
            "Ban An toàn thực phẩm đã phạt công ty cung cấp suất ăn 90 triệu đồng và đình chỉ hoạt động bếp 3 tháng.",
            "Nhà trường chuyển sang tự tổ chức bếp ăn với sự giám sát của ban đại diện cha mẹ học sinh.",
            "Toàn bộ 32 học sinh đã khỏe mạnh và đi học bình thường.",
            "Sở Giáo dục và Đào tạo TP.HCM yêu cầu các trường kiểm tra lại hợp đồng suất ăn.",
        ],
    ),
]


def _edit(sentences: list[str], rng: random.Random) -> list[str]:
    out = list(sentences)
    if len(out) > 3 and rng.random() < 0.8:
        del out[rng.randrange(2, len(out))]
    if len(out) > 3 and rng.random() < 0.5:
        i, j = rng.sample(range(1, len(out)), 2)
        out[i], out[j] = out[j], out[i]
    text = " ".join(out)
    for a, b in rng.sample(SYNONYMS, 5):
        text = text.replace(a, b)
    return [text]


def build(seed: int = 2026) -> list[dict[str, str]]:
    rng = random.Random(seed)
    items = []
    for n, (subject, titles, sentences) in enumerate(STORIES):
        story = f"{subject}-{n:02d}"
        copies = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        outlets = rng.sample(OUTLETS, copies)
        for k, outlet in enumerate(outlets):
            form = "original" if k == 0 else rng.choice(["syndication", "headline", "edited", "edited", "short"])
            title, body = titles[0], sentences
            if form == "headline":
                title = rng.choice(titles[1:])
            elif form == "edited":
                title, body = rng.choice(titles), _edit(sentences, rng)
            elif form == "short":
                title, body = rng.choice(titles), sentences[:1]
            items.append({"story": story, "subject": subject, "form": form, "outlet": outlet, "title": title,
                          "text": " ".join(body)})  # fmt: skip
    rng.shuffle(items)
    return items


def main() -> None:
    items = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    note = ("Labelled set for the clustering of press items (bench/make_cluster_set.py): invented stories, "
            "'story' is the truth.")  # fmt: skip
    for path in (OUT, DEMO):
        path.write_text(json.dumps({"note": note, "items": items}, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")  # fmt: skip
    print(f"{len(items)} items, {len({i['story'] for i in items})} stories → {OUT}")


if __name__ == "__main__":
    main()
