"""The demo's task register: two years of tasks Bắc Ninh's People's Committee and its Chairman
assigned, entered the way a province enters them.

What a province has is an export of its document-management system: one row per task, the
source document (a Chairman's meeting conclusions ``…/TB-UBND``, a dispatch ``…/UBND-KT``
``-TH`` ``-NC`` ``-KGVX``, a decision ``…/QĐ-UBND``, a plan ``…/KH-UBND``, a directive
``…/CT-UBND``), several tasks per document to the departments (most) and communes (some),
the leader who assigned them by role title (no person's name), deadlines written as the
documents write them (a date, "10 ngày làm việc", "hằng tháng ngày 20", none). The demo
writes such an export (``demo/tasks/…xlsx`` in the data directory, for a person to open)
and imports it with ``chiso.collect.tasks.imports.import_tasks`` — the path a province's
file takes. Then each task's life up to the demo's today is entered through
``chiso.store.repo_tasks.add_event``, the function the pages and the API call: progress
updates by the lead unit's officer, extension requests by its head and the office's
decisions, completion reports and the office's acceptance or return, each dated in the past.

The life is drawn so that the states at the demo's today come out as a province's
registers look (the Government Office's reports: most tasks done on time, some late, many
open within their deadline, a few overdue, a handful more than 120 days overdue): every
unit has its own punctuality and update habit (a named random stream per unit,
``chiso.demo.rng``), so rankings differ; a rebuild with the same seed gives the same
register. The counts at the demo's today, and why, are in docs/sample-catalogue.md.
"""
from __future__ import annotations

import datetime as dt
import math
import zlib
from dataclasses import dataclass, replace
from dataclasses import field as default
from pathlib import Path
from typing import Any

import numpy as np
import xlsxwriter
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from chiso import settings
from chiso.catalog.indicator import DEFAULT_FIELDS
from chiso.collect.tasks.imports import import_tasks
from chiso.demo.rng import stream
from chiso.periods.holidays import HolidayCalendar, load_holidays
from chiso.store import repo_tasks
from chiso.store.models_tasks import TaskChange, TaskEvent, TaskRow
from chiso.tasks.deadlines import instances, is_working_day, parse_deadline, roll_setting
from chiso.tasks.model import Deadline, Task

DEMO_ACTOR = "demo"
TASKS_FILE = "tasks/nhiem-vu-ubnd-tinh-giao.xlsx"   # under the demo's folder of generated inputs
EXTERNAL_PREFIX = "BN-QLVB-"                          # the export's own task ids
TARGET_TASKS = 1500
YEARS = 2
ISSUER = "UBND tỉnh Bắc Ninh"

#: The export's columns, as the document-management system names them (the import's headers).
HEADERS: tuple[str, ...] = (
    "Mã nhiệm vụ", "Số ký hiệu văn bản", "Ngày văn bản", "Trích yếu", "Cơ quan ban hành", "Liên kết văn bản",
    "Nội dung nhiệm vụ", "Người giao", "Ngày giao", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn",
    "Hạn kết thúc", "Trọng tâm", "Lĩnh vực", "Chỉ số liên quan")

# ---------------------------------------------------------------- who assigns
#: The leaders by role title, and the fields each is in charge of.
LEADERS: dict[str, str] = {
    "CT": "Chủ tịch UBND tỉnh",
    "TT": "Phó Chủ tịch Thường trực UBND tỉnh",
    "KT": "Phó Chủ tịch UBND tỉnh phụ trách kinh tế",
    "XD": "Phó Chủ tịch UBND tỉnh phụ trách đô thị, đầu tư và xây dựng",
    "VX": "Phó Chủ tịch UBND tỉnh phụ trách văn hóa – xã hội",
}
FIELD_LEADER = {"ECONOMY": "KT", "ENTERPRISE": "KT", "FINANCE": "TT", "INVESTMENT": "XD", "SOCIETY": "VX",
                "ADMINISTRATION": "TT"}
COMMUNE = "commune"   # a theme's lead "commune": one of the province's communes


@dataclass(frozen=True)
class Theme:
    """What a group of tasks is about: its field, the office of the dispatch's ký hiệu, who leads
    it, a phrase for the document's trích yếu, the tasks' contents, who co-operates, and the
    catalogue indicators the tasks serve."""

    key: str
    field: str
    office: str                       # KT, TH, NC, KGVX: the dispatch's ký hiệu (…/UBND-KT)
    leads: tuple[str, ...]            # unit codes, or COMMUNE
    topic: str                        # "đẩy nhanh tiến độ giải ngân vốn đầu tư công năm {y}"
    tasks: tuple[str, ...]
    co: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    weight: float = 1.0


T = Theme
THEMES: tuple[Theme, ...] = (
    # ------------------------------------------------------------ Kinh tế
    T("iip", "ECONOMY", "KT", ("24-SCT",), "phát triển sản xuất công nghiệp, thương mại năm {y}", (
        "Xây dựng kịch bản tăng trưởng ngành công nghiệp năm {y}; đề xuất giải pháp bảo đảm chỉ số sản xuất "
        "công nghiệp (IIP) tăng theo kế hoạch",
        "Nắm tình hình sản xuất, kinh doanh của các doanh nghiệp công nghiệp chủ lực; tổng hợp khó khăn, vướng mắc, "
        "báo cáo UBND tỉnh",
        "Phối hợp với Công ty Điện lực Bắc Ninh bảo đảm cung ứng điện cho sản xuất công nghiệp trong các tháng cao "
        "điểm nắng nóng",
    ), ("24-BQLKCN", "24-STC"), ("KT.IIP", "KT.DIEN_CN_XD"), 1.2),
    T("retail", "ECONOMY", "KT", ("24-SCT",), "bình ổn thị trường, kích cầu tiêu dùng dịp cuối năm và Tết", (
        "Xây dựng kế hoạch bảo đảm cân đối cung cầu, bình ổn thị trường hàng hóa thiết yếu dịp cuối năm và Tết "
        "Nguyên đán",
        "Tổ chức chương trình kích cầu tiêu dùng, hội chợ hàng Việt Nam; đưa hàng Việt về các xã",
        "Tăng cường kiểm tra, xử lý hành vi buôn lậu, gian lận thương mại, hàng giả, hàng kém chất lượng",
        "Theo dõi sát diễn biến giá cả thị trường, nhất là giá xăng dầu, vật liệu xây dựng; báo cáo kịp thời các "
        "biến động bất thường",
    ), ("24-STC", "24-CA", "24-SNNMT"), ("KT.BAN_LE", "KT.CPI")),
    T("ccn", "ECONOMY", "KT", ("24-SCT",), "đẩy nhanh tiến độ đầu tư hạ tầng các cụm công nghiệp", (
        "Rà soát các cụm công nghiệp chậm triển khai đầu tư hạ tầng kỹ thuật; đề xuất xử lý đối với chủ đầu tư "
        "không đủ năng lực",
        "Đôn đốc chủ đầu tư hạ tầng các cụm công nghiệp hoàn thành hệ thống xử lý nước thải tập trung",
    ), ("24-SNNMT", "24-SXD"), ("KT.CCN_HOAN_THANH",)),
    T("kcn", "ECONOMY", "KT", ("24-BQLKCN",), "quản lý, phát triển các khu công nghiệp", (
        "Rà soát quỹ đất công nghiệp sẵn sàng cho thuê; cập nhật danh mục dự án kêu gọi đầu tư vào các khu công "
        "nghiệp",
        "Nắm tình hình lao động, việc làm tại các khu công nghiệp; không để xảy ra đình công, ngừng việc tập thể",
        "Đôn đốc các doanh nghiệp kinh doanh hạ tầng khu công nghiệp hoàn thiện các công trình bảo vệ môi trường",
        "Kiểm tra việc chấp hành quy định về phòng cháy, chữa cháy tại các doanh nghiệp trong khu công nghiệp",
    ), ("24-SNV", "24-CA", "24-SNNMT"), ("KT.DAT_CN_SAN_SANG", "KT.LAO_DONG_KCN"), 1.2),
    T("agri", "ECONOMY", "KT", ("24-SNNMT",), "sản xuất nông nghiệp và phòng, chống dịch bệnh", (
        "Hướng dẫn các xã tổ chức sản xuất vụ Đông năm {y} bảo đảm diện tích, cơ cấu giống theo kế hoạch",
        "Chỉ đạo phòng, chống dịch bệnh trên đàn gia súc, gia cầm; chủ động vắc-xin, hóa chất khử trùng",
        "Tổ chức đánh giá, phân hạng sản phẩm OCOP năm {y}; hỗ trợ các chủ thể nâng hạng sản phẩm",
        "Xây dựng phương án phòng, chống thiên tai và tìm kiếm cứu nạn năm {y}; kiểm tra hệ thống đê điều trước mùa "
        "mưa bão",
    ), ("24-SCT", "24-STC"), ("KT.OCOP_MOI",)),
    T("tourism", "ECONOMY", "KGVX", ("24-SVHTTDL",), "phát triển du lịch năm {y}", (
        "Xây dựng chương trình kích cầu du lịch năm {y}; quảng bá các sản phẩm du lịch văn hóa, tâm linh của tỉnh",
        "Tổ chức khảo sát, xây dựng các tour, tuyến du lịch kết nối di tích, làng nghề truyền thống",
    ), ("24-SCT", "24-SNGV"), ("KT.KHACH_DU_LICH",), 0.7),
    T("growth", "ECONOMY", "TH", ("24-STC",), "thúc đẩy tăng trưởng, hoàn thành các chỉ tiêu kinh tế – xã hội năm {y}", (
        "Tổng hợp, đánh giá tình hình thực hiện các chỉ tiêu kinh tế – xã hội; dự báo tăng trưởng GRDP và đề xuất "
        "giải pháp cho các tháng cuối năm {y}",
        "Rà soát các chỉ tiêu có nguy cơ không đạt kế hoạch năm {y}; đề xuất giải pháp cụ thể cho từng chỉ tiêu",
        "Xây dựng báo cáo kinh tế – xã hội năm {y} và kế hoạch phát triển kinh tế – xã hội năm {y1}",
    ), ("24-SCT", "24-SNNMT", "24-SXD"), ("KT.GRDP_TANG_LK", "KT.CHI_SO_DONG_LUC"), 1.2),
    T("commune-econ", "ECONOMY", "KT", (COMMUNE,), "phát triển sản xuất nông nghiệp, kinh tế tại các xã, phường", (
        "Tổ chức sản xuất vụ Xuân năm {y} đúng khung thời vụ; không để đất nông nghiệp bị bỏ hoang",
        "Rà soát, hỗ trợ hộ kinh doanh trên địa bàn chuyển sang sử dụng hóa đơn điện tử khởi tạo từ máy tính tiền",
        "Phát triển sản phẩm OCOP của xã; hướng dẫn các hợp tác xã hoàn thiện hồ sơ đánh giá, phân hạng",
    ), ("24-SNNMT", "24-THUE"), (), 1.1),
    # ------------------------------------------------------------ Tài chính – Ngân sách
    T("budget", "FINANCE", "KT", ("24-STC",), "điều hành ngân sách nhà nước năm {y}", (
        "Tham mưu phương án điều hành ngân sách năm {y}; rà soát, cắt giảm các khoản chi chưa thật sự cần thiết",
        "Xây dựng dự toán ngân sách nhà nước năm {y1} và kế hoạch tài chính – ngân sách nhà nước 03 năm",
        "Tham mưu phân bổ nguồn tăng thu, nguồn tiết kiệm chi năm {y}; báo cáo UBND tỉnh",
        "Thẩm định, phê duyệt quyết toán dự án hoàn thành sử dụng vốn nhà nước bảo đảm đúng thời hạn quy định",
    ), ("24-THUE",), ("NS.CHI_NSDP", "NS.QT_DUNG_HAN", "NS.TY_LE_CHI_DU_TOAN"), 1.3),
    T("revenue", "FINANCE", "KT", ("24-THUE",), "tăng cường công tác thu ngân sách, chống thất thu năm {y}", (
        "Triển khai quyết liệt các giải pháp thu hồi nợ thuế; công khai thông tin người nộp thuế nợ thuế kéo dài",
        "Rà soát, chống thất thu thuế trong lĩnh vực thương mại điện tử, kinh doanh bất động sản",
        "Phấn đấu thu nội địa vượt dự toán được giao năm {y}; báo cáo tiến độ thu theo từng sắc thuế",
        "Giải quyết hoàn thuế giá trị gia tăng cho doanh nghiệp đúng thời hạn, không để hồ sơ tồn đọng",
    ), ("24-STC", "24-CA"), ("NS.THU_NOI_DIA", "NS.THU_HOI_NO_THUE", "NS.NO_THUE"), 1.2),
    T("assets", "FINANCE", "KT", ("24-STC",), "sắp xếp, xử lý tài sản công sau sắp xếp đơn vị hành chính", (
        "Rà soát, đề xuất phương án sắp xếp, xử lý nhà, đất, trụ sở dôi dư sau sắp xếp đơn vị hành chính",
        "Hướng dẫn các xã, phường kiểm kê, bàn giao tài sản công, tài chính, ngân sách sau sắp xếp",
    ), ("24-SXD", "24-SNNMT"), (), 0.8),
    T("commune-fin", "FINANCE", "KT", (COMMUNE,), "thu ngân sách, xử lý nợ đọng xây dựng cơ bản tại các xã, phường", (
        "Tập trung thu ngân sách trên địa bàn, phấn đấu hoàn thành dự toán thu được giao năm {y}",
        "Rà soát, xử lý dứt điểm các khoản nợ đọng xây dựng cơ bản của xã",
        "Đẩy nhanh tiến độ đấu giá quyền sử dụng đất các khu đất đã đủ điều kiện để tăng thu ngân sách",
    ), ("24-STC", "24-THUE"), (), 1.0),
    # ------------------------------------------------------------ Đầu tư – Xây dựng
    T("disburse", "INVESTMENT", "KT", ("24-STC",), "đẩy nhanh tiến độ giải ngân vốn đầu tư công năm {y}", (
        "Đôn đốc các chủ đầu tư đẩy nhanh tiến độ giải ngân vốn đầu tư công năm {y}; đề xuất điều chuyển vốn của "
        "các dự án chậm giải ngân",
        "Rà soát danh mục dự án khởi công mới năm {y1}; hoàn thiện thủ tục đầu tư trình HĐND tỉnh",
        "Tổng hợp danh sách dự án chậm tiến độ, làm rõ trách nhiệm của chủ đầu tư, nhà thầu; báo cáo UBND tỉnh",
    ), ("24-SXD", "24-SNNMT"), ("DT.TY_LE_GIAI_NGAN", "DT.DU_AN_CHAM"), 1.5),
    T("housing", "INVESTMENT", "KT", ("24-SXD",), "phát triển nhà ở xã hội và quản lý quy hoạch, xây dựng", (
        "Đẩy nhanh tiến độ các dự án nhà ở xã hội; hướng dẫn, tháo gỡ vướng mắc về thủ tục cho chủ đầu tư",
        "Rà soát, điều chỉnh quy hoạch chung đô thị; hướng dẫn các xã, phường lập quy hoạch chi tiết",
        "Kiểm tra chất lượng công trình, an toàn lao động trên các công trường sử dụng vốn ngân sách",
        "Tham mưu phương án cải tạo, nâng cấp các tuyến đường kết nối khu công nghiệp với quốc lộ",
    ), ("24-STC", "24-SNNMT"), ("DT.NOXH_HOAN_THANH",), 1.3),
    T("land", "INVESTMENT", "KT", ("24-SNNMT",), "bồi thường, giải phóng mặt bằng các dự án trọng điểm", (
        "Tập trung giải phóng mặt bằng dự án {project}; bàn giao mặt bằng sạch cho nhà thầu theo tiến độ",
        "Xác định giá đất cụ thể làm căn cứ bồi thường, hỗ trợ, tái định cư các dự án trọng điểm",
        "Hướng dẫn các xã hoàn thiện hồ sơ, phương án bồi thường, hỗ trợ dự án {project}",
        "Rà soát, bố trí quỹ đất tái định cư cho các hộ dân bị thu hồi đất dự án {project}",
    ), ("24-STC", "24-SXD", COMMUNE), ("DT.GPMB",), 1.4),
    T("fdi", "INVESTMENT", "KT", ("24-STC", "24-BQLKCN"), "thu hút đầu tư và rút ngắn thời gian giải quyết thủ tục đầu tư", (
        "Rút ngắn thời gian thẩm định chủ trương đầu tư; giải quyết dứt điểm hồ sơ dự án đầu tư tồn đọng",
        "Rà soát các dự án đầu tư chậm tiến độ, đề xuất chấm dứt hoạt động đối với dự án vi phạm kéo dài",
        "Chuẩn bị danh mục dự án kêu gọi đầu tư và nội dung làm việc với các nhà đầu tư chiến lược",
    ), ("24-SXD", "24-SNNMT"), ("DT.FDI", "DT.LAP_DAY_KCN"), 1.1),
    T("commune-build", "INVESTMENT", "KT", (COMMUNE,), "công tác giải phóng mặt bằng, quản lý trật tự xây dựng tại các xã, phường", (
        "Phối hợp bồi thường, giải phóng mặt bằng dự án {project} trên địa bàn; vận động các hộ dân bàn giao mặt "
        "bằng đúng tiến độ",
        "Kiểm tra, xử lý dứt điểm các trường hợp vi phạm trật tự xây dựng, lấn chiếm đất công trên địa bàn",
        "Đẩy nhanh tiến độ xây dựng các công trình hạ tầng nông thôn do xã làm chủ đầu tư",
    ), ("24-SNNMT", "24-SXD"), ("DT.GPMB", "DT.GPXD"), 1.4),
    # ------------------------------------------------------------ Doanh nghiệp
    T("dialogue", "ENTERPRISE", "KT", ("24-STC", "24-VPUBND"), "giải quyết kiến nghị của doanh nghiệp, nhà đầu tư", (
        "Tổng hợp kiến nghị của doanh nghiệp tại Hội nghị gặp mặt doanh nghiệp; đề xuất phương án giải quyết",
        "Đôn đốc các sở, ngành trả lời kiến nghị của doanh nghiệp trong thời hạn; báo cáo Chủ tịch UBND tỉnh",
    ), ("24-THUE", "24-SNNMT", "24-SXD"), ("DN.KIEN_NGHI_DA_GQ", "DN.KIEN_NGHI_DANG_XL"), 1.0),
    T("pci", "ENTERPRISE", "KT", ("24-STC",), "cải thiện môi trường đầu tư, kinh doanh, nâng cao chỉ số PCI", (
        "Xây dựng kế hoạch cải thiện chỉ số năng lực cạnh tranh cấp tỉnh (PCI) năm {y}; phân tích các chỉ số thành "
        "phần giảm điểm",
        "Triển khai chương trình hỗ trợ doanh nghiệp nhỏ và vừa năm {y}; hướng dẫn thủ tục tiếp cận hỗ trợ",
        "Rút ngắn thời gian giải quyết hồ sơ đăng ký doanh nghiệp; đẩy mạnh đăng ký doanh nghiệp qua mạng",
    ), ("24-VPUBND", "24-SNV"), ("DN.PCI", "DN.LUOT_HO_TRO", "DN.TY_LE_DKDN_DUNG_HAN"), 1.0),
    T("innovation", "ENTERPRISE", "KGVX", ("24-SKHCN",), "hỗ trợ doanh nghiệp đổi mới sáng tạo", (
        "Hỗ trợ doanh nghiệp đổi mới công nghệ, đăng ký bảo hộ quyền sở hữu trí tuệ cho sản phẩm chủ lực",
        "Xây dựng chương trình hỗ trợ hệ sinh thái khởi nghiệp đổi mới sáng tạo năm {y}",
    ), ("24-STC",), (), 0.6),
    T("export", "ENTERPRISE", "KT", ("24-SCT",), "hỗ trợ doanh nghiệp xuất khẩu", (
        "Hỗ trợ doanh nghiệp xuất khẩu ứng phó các biện pháp phòng vệ thương mại; phổ biến các hiệp định thương "
        "mại tự do",
        "Tổ chức các hoạt động xúc tiến thương mại, kết nối doanh nghiệp của tỉnh với các hệ thống phân phối",
    ), ("24-SNGV", "24-STC"), ("KT.XUAT_KHAU", "KT.XUC_TIEN_TM"), 0.8),
    # ------------------------------------------------------------ Xã hội
    T("school", "SOCIETY", "KGVX", ("24-SGDDT",), "công tác giáo dục và đào tạo năm học {sy}", (
        "Xây dựng kế hoạch tuyển sinh vào lớp 10 năm học {sy}; bảo đảm đủ chỗ học cho học sinh",
        "Rà soát, sắp xếp mạng lưới trường, lớp; đề xuất đầu tư xây dựng bổ sung phòng học còn thiếu",
        "Chuẩn bị các điều kiện tổ chức Kỳ thi tốt nghiệp trung học phổ thông năm {y} an toàn, nghiêm túc",
        "Rà soát, đề xuất tuyển dụng giáo viên còn thiếu theo định mức; báo cáo UBND tỉnh",
    ), ("24-STC", "24-SNV", "24-CA", "24-SYT"), (), 1.2),
    T("health", "SOCIETY", "KGVX", ("24-SYT",), "công tác y tế, phòng, chống dịch bệnh", (
        "Bảo đảm thuốc, vật tư y tế phục vụ khám, chữa bệnh bảo hiểm y tế; khắc phục tình trạng thiếu thuốc tại các "
        "bệnh viện",
        "Chủ động phòng, chống dịch sốt xuất huyết, tay chân miệng; tổ chức tiêm chủng mở rộng đạt kế hoạch",
        "Tăng cường kiểm tra an toàn thực phẩm dịp Tết Nguyên đán và mùa lễ hội năm {y}",
        "Xây dựng phương án sắp xếp các trạm y tế xã sau sắp xếp đơn vị hành chính",
    ), ("24-BHXH", "24-SCT", "24-SNNMT", "24-CA"), ("XH.KCB_BHYT", "XH.TIEM_CHUNG"), 1.2),
    T("labour", "SOCIETY", "KGVX", ("24-SNV",), "giải quyết việc làm và bảo đảm an sinh xã hội", (
        "Triển khai các giải pháp giải quyết việc làm, kết nối cung – cầu lao động; tổ chức phiên giao dịch việc làm",
        "Tổ chức thăm hỏi, tặng quà người có công, đối tượng bảo trợ xã hội dịp Tết Nguyên đán đầy đủ, kịp thời",
        "Tham mưu giải quyết chế độ, chính sách đối với cán bộ, công chức, viên chức nghỉ việc theo Nghị định số "
        "178/2024/NĐ-CP",
    ), ("24-STC", "24-BHXH", "24-BQLKCN"), ("XH.VIEC_LAM_MOI",), 1.0),
    T("insurance", "SOCIETY", "KGVX", ("24-BHXH",), "phát triển người tham gia bảo hiểm xã hội, bảo hiểm y tế", (
        "Mở rộng đối tượng tham gia bảo hiểm xã hội tự nguyện, bảo hiểm y tế hộ gia đình",
        "Đôn đốc, xử lý các doanh nghiệp chậm đóng, nợ đóng bảo hiểm xã hội kéo dài",
    ), ("24-SNV", "24-THUE", "24-BQLKCN"), ("XH.BAO_PHU_BHXH", "XH.BAO_PHU_BHYT"), 0.9),
    T("poverty", "SOCIETY", "KGVX", ("24-SNNMT",), "giảm nghèo bền vững năm {y}", (
        "Hướng dẫn rà soát hộ nghèo, hộ cận nghèo năm {y}; thực hiện đầy đủ chính sách hỗ trợ giảm nghèo",
    ), ("24-SNV", "24-STC"), ("XH.TY_LE_HO_NGHEO", "XH.HO_NGHEO"), 0.6),
    T("culture", "SOCIETY", "KGVX", ("24-SVHTTDL", "24-SDTTG"), "quản lý hoạt động văn hóa, lễ hội, tín ngưỡng, tôn giáo", (
        "Tổ chức các hoạt động văn hóa, thể thao mừng Đảng, mừng Xuân; quản lý chặt chẽ các lễ hội đầu năm {y}",
        "Lập hồ sơ đề nghị xếp hạng di tích; tu bổ, tôn tạo các di tích đang xuống cấp",
        "Nắm tình hình hoạt động tín ngưỡng, tôn giáo; hướng dẫn các cơ sở tôn giáo tổ chức lễ hội theo quy định",
    ), ("24-CA", "24-STC"), (), 0.9),
    T("commune-social", "SOCIETY", "KGVX", (COMMUNE,), "công tác an sinh xã hội, y tế, giáo dục tại các xã, phường", (
        "Hoàn thành xóa nhà tạm, nhà dột nát cho hộ nghèo, hộ cận nghèo, gia đình chính sách trên địa bàn",
        "Vận động người dân tham gia bảo hiểm y tế, bảo hiểm xã hội tự nguyện; phấn đấu đạt chỉ tiêu được giao",
        "Rà soát trẻ em trong độ tuổi tiêm chủng; vận động tiêm đủ mũi, đúng lịch",
        "Bảo đảm cơ sở vật chất các trường mầm non, tiểu học trên địa bàn trước năm học mới",
    ), ("24-SNV", "24-SYT", "24-BHXH"), (), 1.3),
    # ------------------------------------------------------------ Hành chính công
    T("procedures", "ADMINISTRATION", "TH", ("24-VPUBND", "24-TTPVHCC"), "cải cách thủ tục hành chính năm {y}", (
        "Rà soát, công bố danh mục thủ tục hành chính được sửa đổi, bổ sung; cập nhật lên Cổng Dịch vụ công quốc gia",
        "Nâng tỷ lệ hồ sơ nộp trực tuyến và thanh toán trực tuyến; số hóa hồ sơ, kết quả giải quyết thủ tục hành "
        "chính",
        "Rà soát, xử lý dứt điểm hồ sơ thủ tục hành chính quá hạn; thực hiện xin lỗi tổ chức, cá nhân theo quy định",
        "Tái cấu trúc quy trình, cung cấp dịch vụ công trực tuyến toàn trình đối với các thủ tục đủ điều kiện",
    ), ("24-SKHCN", "24-SNV"), ("HC.TY_LE_TRUC_TUYEN", "HC.HS_QUA_HAN_DANG_XL", "HC.TTHC_TOAN_TRINH"), 1.4),
    T("par", "ADMINISTRATION", "TH", ("24-SNV",), "cải cách hành chính, nâng cao chỉ số PAR INDEX, SIPAS năm {y}", (
        "Xây dựng kế hoạch cải thiện Chỉ số cải cách hành chính (PAR INDEX), SIPAS năm {y}; khắc phục các tiêu chí "
        "bị trừ điểm",
        "Thẩm định đề án vị trí việc làm, cơ cấu ngạch công chức của các cơ quan, đơn vị sau sắp xếp",
        "Tổ chức kiểm tra công tác cải cách hành chính, kỷ luật, kỷ cương hành chính tại các cơ quan, đơn vị",
    ), ("24-VPUBND",), ("HC.PAR_INDEX", "HC.SIPAS"), 1.1),
    T("digital", "ADMINISTRATION", "TH", ("24-SKHCN", "24-CA"), "đẩy mạnh chuyển đổi số và thực hiện Đề án 06", (
        "Triển khai Kế hoạch chuyển đổi số năm {y}; nâng cấp hạ tầng Trung tâm dữ liệu của tỉnh",
        "Đẩy mạnh cấp tài khoản định danh điện tử mức 2; triển khai các tiện ích của Đề án 06 trên địa bàn",
        "Bảo đảm an toàn, an ninh thông tin cho các hệ thống thông tin dùng chung của tỉnh",
    ), ("24-VPUBND", "24-STC"), ("HC.DTI", "HC.VNEID_MUC2"), 1.1),
    T("documents", "ADMINISTRATION", "TH", ("24-VPUBND", "24-STP"), "công tác văn bản và điều hành", (
        "Nâng cấp hệ thống quản lý văn bản và điều hành; bảo đảm văn bản đi được ký số và gửi nhận điện tử",
        "Thẩm định các dự thảo văn bản quy phạm pháp luật trình UBND tỉnh; rà soát, hệ thống hóa văn bản",
        "Rà soát các văn bản quy phạm pháp luật của tỉnh cần sửa đổi sau sắp xếp đơn vị hành chính",
    ), ("24-SKHCN",), ("HC.VB_KY_SO", "HC.VB_QPPL"), 0.9),
    T("complaints", "ADMINISTRATION", "NC", ("24-TTT",), "công tác tiếp công dân, giải quyết khiếu nại, tố cáo", (
        "Rà soát, giải quyết dứt điểm các vụ việc khiếu nại, tố cáo đông người, kéo dài",
        "Tiến hành thanh tra trách nhiệm thực hiện pháp luật về tiếp công dân, giải quyết khiếu nại, tố cáo",
        "Tham mưu giải quyết đơn khiếu nại của công dân thuộc thẩm quyền của Chủ tịch UBND tỉnh",
    ), ("24-SNNMT", "24-CA"), (), 1.0),
    T("order", "ADMINISTRATION", "NC", ("24-CA",), "bảo đảm an ninh, trật tự, an toàn giao thông", (
        "Bảo đảm an ninh, trật tự, an toàn giao thông dịp Tết Nguyên đán và các lễ hội đầu năm {y}",
        "Tăng cường kiểm tra, xử lý vi phạm về phòng cháy, chữa cháy tại các nhà trọ, cơ sở sản xuất kinh doanh",
    ), ("24-SXD", "24-SVHTTDL"), (), 0.8),
    T("foreign", "ADMINISTRATION", "TH", ("24-SNGV",), "công tác đối ngoại, hợp tác quốc tế", (
        "Chuẩn bị nội dung, chương trình đón tiếp đoàn công tác nước ngoài; tổng hợp kết quả hợp tác quốc tế",
    ), ("24-STC", "24-BQLKCN"), (), 0.4),
    T("commune-admin", "ADMINISTRATION", "TH", (COMMUNE,), "công tác cải cách hành chính, tiếp công dân tại các xã, phường", (
        "Kiện toàn bộ phận một cửa; bảo đảm giải quyết hồ sơ thủ tục hành chính đúng hạn, không để quá hạn",
        "Tổ chức tiếp công dân định kỳ; giải quyết kịp thời đơn thư khiếu nại, kiến nghị thuộc thẩm quyền",
        "Rà soát, làm sạch dữ liệu dân cư, đất đai phục vụ Đề án 06",
    ), ("24-TTPVHCC", "24-CA", "24-TTT"), (), 1.4),
)
THEME = {t.key: t for t in THEMES}

#: Recurring report tasks (nhiệm vụ báo cáo định kỳ): theme, lead, content, deadline words.
RECURRING: tuple[tuple[str, str, str, str], ...] = (
    ("disburse", "24-STC", "Định kỳ hằng tháng báo cáo tình hình giải ngân vốn đầu tư công, đề xuất điều chuyển vốn",
     "hằng tháng ngày 20"),
    ("revenue", "24-THUE", "Định kỳ hằng tháng báo cáo tiến độ thu ngân sách nhà nước, kết quả thu hồi nợ thuế",
     "hằng tháng ngày 15"),
    ("procedures", "24-TTPVHCC", "Định kỳ hằng tháng báo cáo tình hình tiếp nhận, giải quyết hồ sơ thủ tục hành "
     "chính", "hằng tháng ngày 18"),
    ("iip", "24-SCT", "Định kỳ hằng tháng báo cáo tình hình sản xuất công nghiệp, thương mại, xuất nhập khẩu",
     "hằng tháng ngày 20"),
    ("land", "24-SNNMT", "Định kỳ hằng tháng báo cáo tiến độ giải phóng mặt bằng các dự án trọng điểm",
     "hằng tháng ngày 25"),
    ("digital", "24-CA", "Định kỳ hằng tháng báo cáo kết quả thực hiện Đề án 06 trên địa bàn tỉnh",
     "hằng tháng ngày 22"),
    ("kcn", "24-BQLKCN", "Định kỳ hằng quý báo cáo tình hình thu hút đầu tư, hoạt động của các khu công nghiệp",
     "hằng quý ngày 15"),
    ("par", "24-SNV", "Định kỳ hằng quý báo cáo kết quả thực hiện công tác cải cách hành chính", "hằng quý ngày 15"),
    ("complaints", "24-TTT", "Định kỳ hằng quý báo cáo công tác tiếp công dân, giải quyết khiếu nại, tố cáo",
     "hằng quý ngày 15"),
    ("digital", "24-SKHCN", "Định kỳ hằng quý báo cáo kết quả thực hiện chuyển đổi số", "hằng quý ngày 20"),
    ("health", "24-SYT", "Định kỳ hằng quý báo cáo tình hình dịch bệnh và công tác bảo đảm an toàn thực phẩm",
     "hằng quý ngày 20"),
    ("dialogue", "24-VPUBND", "Định kỳ hằng quý tổng hợp kết quả giải quyết kiến nghị của doanh nghiệp, báo cáo Chủ "
     "tịch UBND tỉnh", "hằng quý ngày 10"),
)

#: Directives (chỉ thị): the topic, and the task each unit is given.
DIRECTIVES: tuple[tuple[str, str, str], ...] = (
    ("Về tăng cường kỷ luật, kỷ cương hành chính trong các cơ quan hành chính nhà nước",
     "ADMINISTRATION", "Quán triệt, thực hiện nghiêm kỷ luật, kỷ cương hành chính; chấn chỉnh tình trạng né tránh, "
     "đùn đẩy trách nhiệm trong thực thi công vụ"),
    ("Về đẩy mạnh giải ngân vốn đầu tư công năm {y}", "INVESTMENT",
     "Xây dựng kế hoạch giải ngân chi tiết theo từng tháng, từng dự án; phân công lãnh đạo phụ trách từng dự án"),
    ("Về tăng cường công tác phòng cháy, chữa cháy và cứu nạn, cứu hộ", "ADMINISTRATION",
     "Rà soát, kiện toàn lực lượng phòng cháy, chữa cháy tại chỗ; kiểm tra các cơ sở có nguy cơ cháy, nổ cao"),
    ("Về tổ chức Tết Nguyên đán {y1} vui tươi, lành mạnh, an toàn, tiết kiệm", "SOCIETY",
     "Chăm lo Tết cho người có công, hộ nghèo, đối tượng bảo trợ xã hội; bảo đảm không hộ nào không có Tết"),
    ("Về nâng cao chất lượng phục vụ người dân, doanh nghiệp trong giải quyết thủ tục hành chính", "ADMINISTRATION",
     "Rà soát quy trình nội bộ, cắt giảm thời gian giải quyết thủ tục hành chính; công khai kết quả đánh giá"),
)

#: The words of a task's content that say it serves one of its theme's indicators.
INDICATOR_WORDS: dict[str, tuple[str, ...]] = {
    "KT.IIP": ("chỉ số sản xuất công nghiệp", "sản xuất công nghiệp"), "KT.DIEN_CN_XD": ("cung ứng điện",),
    "KT.BAN_LE": ("kích cầu tiêu dùng", "bình ổn thị trường"), "KT.CPI": ("giá cả",),
    "KT.CCN_HOAN_THANH": ("cụm công nghiệp",), "KT.DAT_CN_SAN_SANG": ("quỹ đất công nghiệp",),
    "KT.LAO_DONG_KCN": ("lao động, việc làm tại các khu công nghiệp",), "KT.OCOP_MOI": ("ocop",),
    "KT.KHACH_DU_LICH": ("du lịch",), "KT.GRDP_TANG_LK": ("grdp",), "KT.CHI_SO_DONG_LUC": ("chỉ tiêu",),
    "KT.XUAT_KHAU": ("xuất khẩu",), "KT.XUC_TIEN_TM": ("xúc tiến thương mại",),
    "NS.CHI_NSDP": ("điều hành ngân sách",), "NS.TY_LE_CHI_DU_TOAN": ("khoản chi", "tiết kiệm chi"),
    "NS.QT_DUNG_HAN": ("quyết toán",), "NS.THU_NOI_DIA": ("thu nội địa", "thu ngân sách"),
    "NS.THU_HOI_NO_THUE": ("thu hồi nợ thuế",), "NS.NO_THUE": ("nợ thuế",),
    "DT.TY_LE_GIAI_NGAN": ("giải ngân",), "DT.DU_AN_CHAM": ("chậm tiến độ",), "DT.NOXH_HOAN_THANH": ("nhà ở xã hội",),
    "DT.GPXD": ("trật tự xây dựng",), "DT.GPMB": ("giải phóng mặt bằng", "bồi thường"),
    "DT.FDI": ("chủ trương đầu tư", "dự án đầu tư"), "DT.LAP_DAY_KCN": ("kêu gọi đầu tư",),
    "DN.KIEN_NGHI_DA_GQ": ("kiến nghị của doanh nghiệp",), "DN.KIEN_NGHI_DANG_XL": ("kiến nghị của doanh nghiệp",),
    "DN.PCI": ("pci",), "DN.LUOT_HO_TRO": ("doanh nghiệp nhỏ và vừa",),
    "DN.TY_LE_DKDN_DUNG_HAN": ("đăng ký doanh nghiệp",),
    "XH.KCB_BHYT": ("khám, chữa bệnh",), "XH.TIEM_CHUNG": ("tiêm chủng",), "XH.VIEC_LAM_MOI": ("việc làm",),
    "XH.BAO_PHU_BHXH": ("bảo hiểm xã hội",), "XH.BAO_PHU_BHYT": ("bảo hiểm y tế",),
    "XH.TY_LE_HO_NGHEO": ("hộ nghèo",), "XH.HO_NGHEO": ("hộ nghèo",),
    "HC.TY_LE_TRUC_TUYEN": ("trực tuyến",), "HC.HS_QUA_HAN_DANG_XL": ("quá hạn",),
    "HC.TTHC_TOAN_TRINH": ("toàn trình",), "HC.PAR_INDEX": ("par index",), "HC.SIPAS": ("sipas",),
    "HC.DTI": ("chuyển đổi số",), "HC.VNEID_MUC2": ("định danh điện tử", "đề án 06"),
    "HC.VB_KY_SO": ("ký số",), "HC.VB_QPPL": ("quy phạm pháp luật",),
}


def linked(content: str, candidates: tuple[str, ...], rng: np.random.Generator) -> tuple[str, ...]:
    """The indicators of ``candidates`` the content speaks of (most, not all, are linked in the export)."""
    words = content.casefold()
    return tuple(c for c in candidates if any(w in words for w in INDICATOR_WORDS.get(c, ()))
                 and rng.random() < 0.8)


PROJECTS = (
    "đường Vành đai 4 – Vùng Thủ đô Hà Nội", "mở rộng khu công nghiệp phía Bắc tỉnh", "đường tỉnh kết nối các "
    "khu công nghiệp phía Nam", "khu tái định cư phục vụ dự án giao thông trọng điểm", "nút giao liên thông trên "
    "quốc lộ", "trường trung học phổ thông xây mới",
)

REASONS = (
    "Phải chờ ý kiến thống nhất của các bộ, ngành Trung ương",
    "Khối lượng công việc lớn, cần thêm thời gian tổng hợp số liệu từ các xã, phường",
    "Vướng mắc trong công tác giải phóng mặt bằng, một số hộ dân chưa đồng thuận",
    "Cần lấy ý kiến các sở, ngành liên quan theo quy định trước khi trình UBND tỉnh",
    "Nhà thầu chậm tiến độ do giá vật liệu xây dựng tăng; đang đôn đốc, xử lý",
    "Đơn vị đang kiện toàn tổ chức bộ máy sau sắp xếp",
)
REFUSALS = (
    "Nhiệm vụ cấp bách, đề nghị đơn vị tập trung hoàn thành đúng thời hạn đã giao",
    "Lý do đề nghị gia hạn chưa thuyết phục; đơn vị khẩn trương thực hiện",
)
RETURNS = (
    "Báo cáo chưa đầy đủ nội dung theo yêu cầu, đề nghị bổ sung số liệu cụ thể",
    "Chưa có văn bản, tài liệu chứng minh kết quả hoàn thành; đề nghị bổ sung",
    "Kết quả chưa đáp ứng yêu cầu của lãnh đạo UBND tỉnh, đề nghị tiếp tục thực hiện",
)
BEHIND = (   # what a unit writes once the deadline has passed
    "Chưa hoàn thành do còn vướng mắc, đang phối hợp các đơn vị liên quan tháo gỡ",
    "Đang chờ ý kiến của các bộ, ngành Trung ương để hoàn thiện",
    "Đang hoàn thiện hồ sơ theo ý kiến thẩm định; sẽ báo cáo kết quả trong thời gian sớm nhất",
    "Đang tổng hợp số liệu còn thiếu từ các xã, phường",
)
PROGRESS = (
    (15, "Đã tổ chức họp triển khai, phân công cán bộ phụ trách"),
    (25, "Đang thu thập thông tin, số liệu từ các đơn vị liên quan"),
    (40, "Đã xây dựng dự thảo, đang lấy ý kiến các sở, ngành liên quan"),
    (55, "Đang tổng hợp, tiếp thu ý kiến góp ý"),
    (70, "Đã hoàn thiện dự thảo, đang rà soát lần cuối"),
    (85, "Đã trình lãnh đạo đơn vị xem xét, ký ban hành"),
    (95, "Đang hoàn thiện báo cáo kết quả thực hiện"),
)


# ---------------------------------------------------------------- planning
@dataclass(frozen=True, eq=False)
class Doc:
    kind: str          # TB, CV, QĐ, KH, CT
    number: str        # given once every document is drawn, in the order of their days
    day: dt.date
    summary: str
    leader: str
    office: str = ""   # a dispatch's: KT, TH, NC, KGVX


@dataclass(frozen=True)
class Step:
    """One planned event of a task's life, as ``repo_tasks.add_event`` takes it."""

    instance: str
    kind: str
    day: dt.date
    by: str
    unit: str
    percent: int | None = None
    text: str = ""
    evidence: tuple[tuple[str, str], ...] = ()
    requested: dt.date | None = None
    decision: str | None = None


@dataclass
class Planned:
    """One row of the export and the life planned for the task."""

    external_id: str
    doc: Doc
    content: str
    assigned_on: dt.date
    lead: str
    co: tuple[str, ...]
    deadline_text: str
    until: dt.date | None
    starred: bool
    field: str
    indicators: tuple[str, ...]
    deadline: Deadline | None = None
    life: list[Step] = default(default_factory=list)


@dataclass(frozen=True)
class Traits:
    """A unit's habits in the demo: how punctual, how often it reports progress."""

    on_time: float        # chance a task is done by its deadline
    interval: float       # mean days between progress updates
    silent: float         # chance it never reports progress on a task


def traits_of(seed: int, unit: str, level: str) -> Traits:
    rng = stream(seed, "tasks", "unit", unit)
    on_time = float(np.clip(rng.normal(0.78 if level == "department" else 0.72, 0.07), 0.55, 0.95))
    interval = float(np.clip(rng.lognormal(math.log(9.5 if level == "department" else 13), 0.35), 4, 30))
    silent = float(np.clip(rng.normal(0.10, 0.05), 0.02, 0.3))
    return Traits(on_time, interval, silent)


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _fill(text: str, day: dt.date, rng: np.random.Generator) -> str:
    """A template's year, next year, school year (the one the year's admissions are for) and project."""
    y = day.year
    return text.format(y=y, y1=y + 1, sy=f"{y}–{y + 1}", project=PROJECTS[int(rng.integers(len(PROJECTS)))])


class _Planner:
    """Draws the documents, their tasks and each task's life (see the module's docstring)."""

    def __init__(self, *, today: dt.date, seed: int, tree, province: str, cal: HolidayCalendar):
        self.today, self.seed, self.province, self.cal = today, seed, province, cal
        self.how = roll_setting()
        self.start = today - dt.timedelta(days=365 * YEARS)
        units = [u for u in tree if u.province_code == province and u.level in ("department", "commune")]
        self.departments = sorted(u.code for u in units if u.level == "department")
        self.communes = sorted(u.code for u in units if u.level == "commune")
        self.level = {u.code: u.level for u in units}
        self.names = {u.code: u.name for u in units}
        # the office that decides extensions and accepts completions (as the pages' rule has it)
        self.office = (settings.get("CHISO_TASK_OFFICE_UNIT") or "").strip() or f"{province}-VPUBND"
        self.rng = stream(seed, "tasks", "documents")
        self.numbers: dict[tuple[str, int], int] = {}
        self.traits = {c: traits_of(seed, c, self.level[c]) for c in self.departments + self.communes}

    # ------------------------------------------------------------ days
    def working(self, day: dt.date) -> dt.date:
        while not is_working_day(day, self.cal):
            day += dt.timedelta(days=1)
        return day

    def days(self) -> list[dt.date]:
        out, day = [], self.start + dt.timedelta(days=1)
        while day <= self.today:
            if is_working_day(day, self.cal):
                out.append(day)
            day += dt.timedelta(days=1)
        return out

    # ------------------------------------------------------------ documents
    RATE = {"TB": 1.6, "CV": 17.0, "QĐ": 9.0, "KH": 1.3, "CT": 0.08}   # documents a working day (all, not only ours)
    SIGN = {"TB": "TB-UBND", "QĐ": "QĐ-UBND", "KH": "KH-UBND", "CT": "CT-UBND"}

    def number(self, kind: str, day: dt.date, office: str = "") -> str:
        """A number that grows through the year as the province's register numbers do."""
        key = (kind, day.year)
        base = int(self.RATE[kind] * (day - dt.date(day.year, 1, 1)).days * 5 / 7) + 1
        n = max(base + int(self.rng.integers(0, max(2, int(self.RATE[kind] * 2)))), self.numbers.get(key, 0) + 1)
        self.numbers[key] = n
        sign = f"UBND-{office}" if kind == "CV" else self.SIGN[kind]
        return f"{n}/{sign}"

    def leader(self, field_code: str, chairman: float = 0.22) -> str:
        return LEADERS["CT" if self.rng.random() < chairman else FIELD_LEADER[field_code]]

    def theme(self, fields: tuple[str, ...] | None = None) -> Theme:
        pool = [t for t in THEMES if fields is None or t.field in fields]
        w = np.array([t.weight for t in pool])
        return pool[int(self.rng.choice(len(pool), p=w / w.sum()))]

    def plan(self) -> list[Planned]:
        days = self.days()
        docs: list[tuple[Doc, list[tuple[Theme, str | None, str | None]]]] = []
        # the Chairman's monthly meeting of the People's Committee: conclusions a few days later
        month = dt.date(self.start.year, self.start.month, 1)
        while month <= self.today:
            meeting = self.working(dt.date(month.year, month.month, 26))
            day = self.working(meeting + dt.timedelta(days=int(self.rng.integers(2, 5))))
            if self.start < day <= self.today:
                doc = Doc("TB", "", day, f"Kết luận của Chủ tịch UBND tỉnh tại phiên họp UBND tỉnh thường kỳ tháng "
                                         f"{month.month}/{month.year}", LEADERS["CT"])
                docs.append((doc, [(self.theme(), None, None) for _ in range(int(self.rng.integers(5, 10)))]))
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        # directives: a few a year, one task to each of many units
        for y in range(self.start.year, self.today.year + 1):
            for topic, field_code, content in DIRECTIVES:
                pick = [d for d in days if d.year == y]
                if self.rng.random() < 0.45 or not pick:
                    continue
                day = pick[int(self.rng.integers(len(pick)))]
                doc = Doc("CT", "", day, _fill(topic, day, self.rng), LEADERS["CT"])
                units = list(self.rng.choice(self.departments, size=min(8, len(self.departments)), replace=False))
                units += list(self.rng.choice(self.communes, size=min(4, len(self.communes)), replace=False))
                theme = Theme("directive", field_code, "TH", (), topic, (content,))
                docs.append((doc, [(theme, str(u), content) for u in units]))
        planned = self.tasks_of(docs)
        target = TARGET_TASKS - len(RECURRING)
        while len(planned) < target:   # the other documents, until there are enough tasks
            planned += self.tasks_of(self.other_docs(days, 120))
        planned = self.trim(planned, target) + self.recurring(days)
        # the documents numbered as the province's register numbers them: in the order of their days
        numbers: dict[int, str] = {}
        for doc in sorted({id(p.doc): p.doc for p in planned}.values(), key=lambda d: (d.day, d.kind, d.summary)):
            numbers[id(doc)] = self.number(doc.kind, doc.day, doc.office)
        for p in planned:
            p.doc = replace(p.doc, number=numbers[id(p.doc)])
        planned.sort(key=lambda p: (p.assigned_on, p.doc.number, p.content))
        for i, p in enumerate(planned, 1):
            p.external_id = f"{EXTERNAL_PREFIX}{p.assigned_on.year}-{i:05d}"
        return planned

    def tasks_of(self, docs: list[tuple[Doc, list[tuple[Theme, str | None, str | None]]]]) -> list[Planned]:
        planned: list[Planned] = []
        for doc, picks in docs:
            used: set[tuple[str, str]] = set()
            for theme, unit, content in picks:
                task = self.task(doc, theme, unit, content, used)
                if task is not None:
                    planned.append(task)
        return planned

    def other_docs(self, days: list[dt.date], n: int) -> list[tuple[Doc, list[tuple[Theme, None, None]]]]:
        """Working sessions, meetings, dispatches, decisions and plans, with the themes of their tasks."""
        kinds = ("TB", "CV", "QĐ", "KH")
        weights = np.array([0.22, 0.56, 0.1, 0.12])
        docs = []
        for i in sorted(self.rng.choice(len(days), size=n)):
            day = days[int(i)]
            kind = kinds[int(self.rng.choice(4, p=weights))]
            theme = self.theme()
            lead_name = self.names.get(theme.leads[0], "") if theme.leads[0] != COMMUNE else ""
            topic = _fill(theme.topic, day, self.rng)
            office = ""
            if kind == "TB":
                leader = self.leader(theme.field, 0.3)
                if lead_name and self.rng.random() < 0.6:
                    summary = f"Kết luận của {leader} tại buổi làm việc với {lead_name} về {topic}"
                else:
                    summary = f"Kết luận của {leader} tại cuộc họp về {topic}"
                k = int(self.rng.integers(2, 6))
            elif kind == "CV":
                leader, summary, k = self.leader(theme.field, 0.12), f"V/v {topic}", int(self.rng.integers(1, 3))
                office = theme.office
            elif kind == "QĐ":
                leader = self.leader(theme.field, 0.3)
                summary, k = f"Ban hành Chương trình hành động về {topic}", int(self.rng.integers(2, 4))
            else:
                leader = self.leader(theme.field, 0.25)
                summary, k = f"Kế hoạch {topic}", int(self.rng.integers(2, 5))
            docs.append((Doc(kind, "", day, summary, leader, office), [(theme, None, None)] * k))
        return docs

    def trim(self, planned: list[Planned], target: int) -> list[Planned]:
        """Exactly ``target`` tasks: drop at random from documents with more than one task (a
        document keeps at least one)."""
        while len(planned) > target:
            per_doc: dict[int, int] = {}
            for p in planned:
                per_doc[id(p.doc)] = per_doc.get(id(p.doc), 0) + 1
            many = [i for i, p in enumerate(planned) if per_doc[id(p.doc)] > 1]
            drop = set(self.rng.choice(many, size=min(len(planned) - target, len(many)), replace=False).tolist())
            planned = [p for i, p in enumerate(planned) if i not in drop]
        return planned

    def task(self, doc: Doc, theme: Theme, unit: str | None, content: str | None,
             used: set[tuple[str, str]]) -> Planned | None:
        rng = self.rng
        if unit is None:
            lead = theme.leads[int(rng.integers(len(theme.leads)))]
            if lead == COMMUNE:
                lead = str(rng.choice(self.communes))
        else:
            lead = unit
        if content is None:
            options = [c for c in theme.tasks if (lead, c) not in used]
            if not options:
                return None
            content = options[int(rng.integers(len(options)))]
        used.add((lead, content))
        text = _fill(content, doc.day, rng)
        co_pool = [c for c in theme.co if c != lead]
        n_co = int(rng.choice(4, p=[0.35, 0.35, 0.2, 0.1]))
        co: list[str] = []
        for c in rng.permutation(co_pool)[:n_co] if co_pool else []:
            c = str(c)
            co.append(str(rng.choice(self.communes)) if c == COMMUNE else c)
        assigned = doc.day if rng.random() < 0.7 else self.working(doc.day + dt.timedelta(days=1))
        assigned = min(assigned, self.today)
        words = self.deadline_words(doc.kind, assigned)
        star = rng.random() < (0.16 if doc.leader == LEADERS["CT"] else 0.06)
        inds = linked(text, theme.indicators, rng)
        return Planned("", doc, text, assigned, lead, tuple(dict.fromkeys(co)), words, None, bool(star),
                       theme.field, inds)

    def deadline_words(self, kind: str, assigned: dt.date) -> str:
        """The deadline as the document writes it."""
        rng = self.rng
        u = rng.random()
        if kind == "CT":
            year_end = dt.date(assigned.year, 12, 15)
            return "" if u < 0.5 else _dmy(year_end if year_end >= assigned + dt.timedelta(days=30)
                                           else assigned + dt.timedelta(days=60))
        if kind == "CV":
            if u < 0.45:
                return f"{int(rng.choice([5, 7, 10, 15]))} ngày làm việc"
            if u < 0.6:
                return f"{int(rng.choice([10, 15, 20, 30]))} ngày"
            if u < 0.95:
                return _dmy(assigned + dt.timedelta(days=int(rng.integers(12, 60))))
            return ""
        if u < 0.08:
            return ""   # thường xuyên
        if kind == "QĐ" or (kind == "KH" and u < 0.5):
            span = int(rng.integers(60, 300))
        elif u < 0.25:
            return f"{int(rng.choice([10, 15, 20]))} ngày làm việc"
        else:
            span = int(rng.integers(20, 120))
        day = assigned + dt.timedelta(days=span)
        if rng.random() < 0.45:   # "trước ngày 15" or the month's end, as documents round it
            day = dt.date(day.year, day.month, 15) if day.day <= 15 else \
                dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) - dt.timedelta(days=1)
            day = max(day, assigned + dt.timedelta(days=7))
        return _dmy(day)

    def recurring(self, days: list[dt.date]) -> list[Planned]:
        """The report tasks of the province's plans, assigned early in the two years."""
        out = []
        early = [d for d in days if d < self.start + dt.timedelta(days=150)]
        for theme_key, lead, content, words in RECURRING:
            theme, day = THEME[theme_key], early[int(self.rng.integers(len(early)))]
            doc = Doc("KH", "", day, f"Kế hoạch {_fill(theme.topic, day, self.rng)}",
                      self.leader(theme.field, 0.2))
            until = dt.date(day.year + 1, 12, 31) if self.rng.random() < 0.3 else None
            out.append(Planned("", doc, content, day, lead, (), words, until, bool(self.rng.random() < 0.1),
                               theme.field, linked(content, theme.indicators, self.rng)))
        return out

    # ------------------------------------------------------------ lives
    def live(self, p: Planned) -> None:
        p.deadline = parse_deadline(p.deadline_text, p.assigned_on, self.cal, until=p.until, how=self.how)
        rng = stream(self.seed, "tasks", "life", p.external_id)
        traits = self.traits[p.lead]
        task = Task(code=p.external_id, content=p.content, lead_unit=p.lead, assigned_on=p.assigned_on,
                    deadline=p.deadline)
        if p.deadline.kind in ("monthly", "quarterly"):
            for inst in instances(task, self.today, self.cal, self.how):
                self.report(p, inst.key, inst.opens_on, inst.deadline, rng, traits)
        else:
            self.one_off(p, rng, traits)

    def _officer(self, unit: str) -> str:
        return f"{DEMO_ACTOR}:{unit}"

    def _head(self, unit: str) -> str:
        return f"{DEMO_ACTOR}:{unit}:thu-truong"

    def one_off(self, p: Planned, rng: np.random.Generator, traits: Traits) -> None:
        a, deadline, today = p.assigned_on, p.deadline.day, self.today
        life: list[Step] = []
        due, quiet = deadline, None
        if deadline is None:   # thường xuyên: some are reported done after a while
            done = a + dt.timedelta(days=int(rng.integers(45, 400))) if rng.random() < 0.5 else None
        else:
            span = max(1, (deadline - a).days)
            if span >= 12 and rng.random() < 0.12:
                asked = self.working(deadline - dt.timedelta(days=int(rng.integers(2, min(12, span - 3)))))
                if asked <= today:
                    wanted = deadline + dt.timedelta(days=int(rng.choice([15, 20, 30, 45, 60])))
                    life.append(Step("", "extension_request", asked, self._head(p.lead), p.lead,
                                     text=str(rng.choice(REASONS)), requested=wanted))
                    decided = self.working(asked + dt.timedelta(days=int(rng.integers(1, 6))))
                    approve = rng.random() < 0.75
                    if decided <= today and asked < today - dt.timedelta(days=WAITING_DAYS):
                        life.append(Step("", "extension_decision", decided, self._officer(self.office), self.office,
                                         text="" if approve else str(rng.choice(REFUSALS)),
                                         decision="approved" if approve else "refused"))
                    if approve:
                        due = wanted
            u = rng.random()
            if u < 0.001 + (0.004 if self.level[p.lead] == "commune" else 0.0):
                done = None                                        # stuck: never reported done,
                quiet = due + dt.timedelta(days=int(rng.integers(20, 90)))   # and after a while not updated
            elif u < traits.on_time:
                frac = 0.3 + 0.7 * rng.random() ** 0.5           # most finish in the second half
                done = a + dt.timedelta(days=max(1, round(frac * (due - a).days)))
            else:                                                  # late: a long tail
                tail = rng.random()
                mean = 12 if tail < 0.45 else 45 if tail < 0.92 else 150
                done = due + dt.timedelta(days=1 + int(rng.exponential(mean)))
        reported = self.completion(p, "", a, done, rng, life)
        if reported is not None:   # done before the extension would have been asked: none asked
            life = [s for s in life if not (s.kind.startswith("extension") and s.day >= reported)]
        self.updates(p, "", a, min(reported or today, quiet or today), due, rng, traits, life)
        p.life.extend(sorted(life, key=lambda s: (s.day, _ORDER[s.kind])))

    def report(self, p: Planned, key: str, opens: dt.date, due: dt.date, rng: np.random.Generator,
               traits: Traits) -> None:
        """One instance of a recurring report task: sent a few days before the day, or late."""
        if rng.random() < min(0.97, traits.on_time + 0.1):
            done = due - dt.timedelta(days=int(rng.integers(0, 6)))
        else:
            done = due + dt.timedelta(days=1 + int(rng.exponential(6)))
        done = max(done, opens)
        life: list[Step] = []
        self.completion(p, key, opens, done, rng, life)
        p.life.extend(sorted(life, key=lambda s: (s.day, _ORDER[s.kind])))

    def completion(self, p: Planned, key: str, a: dt.date, done: dt.date | None, rng: np.random.Generator,
                   life: list[Step]) -> dt.date | None:
        """The completion report(s) and the office's answer (accepted, or returned once and
        reported again); the day of the first report, None when none by the demo's last day."""
        if done is None:
            return None
        done = self.working(done)
        if done > self.today:
            return None
        first = done
        if not key and rng.random() < 0.05:   # returned once, reported again later
            life.append(Step(key, "completion", done, self._head(p.lead), p.lead,
                             text="Đơn vị báo cáo đã hoàn thành nhiệm vụ", evidence=self.evidence(p, done)))
            back = self.working(done + dt.timedelta(days=int(rng.integers(2, 6))))
            if back > self.today:
                return first
            life.append(Step(key, "acceptance", back, self._officer(self.office), self.office,
                             text=str(rng.choice(RETURNS)), decision="returned"))
            done = self.working(back + dt.timedelta(days=int(rng.integers(5, 21))))
            if done > self.today:
                return first
        life.append(Step(key, "completion", done, self._head(p.lead), p.lead,
                         text="Đã hoàn thành nhiệm vụ; gửi kèm báo cáo kết quả thực hiện",
                         evidence=self.evidence(p, done)))
        accepted = self.working(done + dt.timedelta(days=int(rng.integers(1, 7))))
        if accepted <= self.today:   # else it waits in the office's inbox
            life.append(Step(key, "acceptance", accepted, self._officer(self.office), self.office,
                             decision="accepted"))
        return first

    def evidence(self, p: Planned, day: dt.date) -> tuple[tuple[str, str], ...]:
        sign = p.lead.split("-", 1)[1] if "-" in p.lead else "UBND"
        n = 1 + (day - dt.date(day.year, 1, 1)).days * (3 if sign == "UBND" else 5) + len(p.content) % 7
        return (("number", f"{n}/BC-{sign}"), ("date", day.isoformat()),
                ("summary", "Báo cáo kết quả thực hiện nhiệm vụ UBND tỉnh giao"))

    def adoption(self, day: dt.date) -> float:
        x = min(1.0, max(0.0, (day - self.start).days / max(1, (self.today - self.start).days)))
        return ADOPTION[0] + (1 - ADOPTION[0]) * x ** ADOPTION[1]

    def updates(self, p: Planned, key: str, a: dt.date, until: dt.date, due: dt.date | None,
                rng: np.random.Generator, traits: Traits, life: list[Step]) -> None:
        """The lead unit's progress updates from a few days after the task came until it was done."""
        if rng.random() < traits.silent:
            return
        day = a + dt.timedelta(days=int(rng.integers(3, 12)))
        last = until - dt.timedelta(days=1)
        end = due if due is not None and due > a else a + dt.timedelta(days=120)
        steps: list[dt.date] = []
        while day <= min(last, self.today):
            steps.append(self.working(day))
            day += dt.timedelta(days=max(3, int(rng.normal(traits.interval, traits.interval / 3))))
        # updating in the system became a habit over the two years: the share of the updates an
        # agency makes that it records rises from ADOPTION[0] two years ago to all of them today
        steps = [s for s in steps if rng.random() < self.adoption(s)]
        seen = set()
        for s in steps:
            if s in seen or s > min(last, self.today) or s < a:
                continue
            seen.add(s)
            share = min(0.95, (s - a).days / max(1, (end - a).days))
            i = min(len(PROGRESS) - 1, int(share * len(PROGRESS)))
            text = PROGRESS[i][1] if due is None or s <= due else str(rng.choice(BEHIND))
            life.append(Step(key, "progress", s, self._officer(p.lead), p.lead, percent=PROGRESS[i][0], text=text))


#: The office decides extension requests within days, except those of the last two weeks: they
#: wait in its inbox at the demo's today (as the heads' approvals of values do, ``chiso.demo.dm``).
WAITING_DAYS = 14
#: Progress recorded in the system: (share two years before the demo's last day, curve exponent).
ADOPTION = (0.05, 4.0)
_ORDER = {"progress": 0, "extension_request": 1, "extension_decision": 2, "completion": 3, "acceptance": 4}


# ---------------------------------------------------------------- the file
def write_export(path: Path, planned: list[Planned], names: dict[str, str],
                 fields: dict[str, str] | None = None) -> Path:
    """The export the document-management system would give: one sheet, one row per task."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = fields or {code: name for code, (name, _) in DEFAULT_FIELDS.items()}
    with xlsxwriter.Workbook(str(path)) as wb:
        # the file says when it was made: the demo's last day (so one seed gives one file, byte for byte)
        made = max(p.assigned_on for p in planned)
        wb.set_properties({"title": "Danh sách nhiệm vụ UBND tỉnh, Chủ tịch UBND tỉnh giao", "author": ISSUER,
                           "created": dt.datetime.combine(made, dt.time(17, 0))})
        ws = wb.add_worksheet("Nhiệm vụ")
        bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF7"})
        for c, h in enumerate(HEADERS):
            ws.write_string(0, c, h, bold)
        for r, p in enumerate(planned, 1):
            for c, value in enumerate(export_row(p, names, fields)):
                ws.write_string(r, c, value)
        for c, width in enumerate((18, 16, 12, 50, 18, 10, 70, 36, 12, 28, 36, 18, 12, 9, 26, 28)):
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(planned), len(HEADERS) - 1)
    return path


def export_row(p: Planned, names: dict[str, str], fields: dict[str, str]) -> list[str]:
    return [p.external_id, p.doc.number, _dmy(p.doc.day), p.doc.summary, ISSUER, "", p.content, p.doc.leader,
            _dmy(p.assigned_on), names.get(p.lead, p.lead), "; ".join(names.get(c, c) for c in p.co),
            p.deadline_text, _dmy(p.until) if p.until else "", "x" if p.starred else "", fields[p.field],
            "; ".join(p.indicators)]


def unit_labels(tree, province: str) -> dict[str, str]:
    """How the export names each unit: its name (spaces tidied) where no other unit of the
    province has it, else its code (the import takes either)."""
    units = [u for u in tree if u.province_code == province]
    count: dict[str, int] = {}
    for u in units:
        key = " ".join(u.name.split()).casefold()
        count[key] = count.get(key, 0) + 1
    return {u.code: " ".join(u.name.split()) if count[" ".join(u.name.split()).casefold()] == 1 else u.code
            for u in units}


# ---------------------------------------------------------------- the build
def plan_register(*, today: dt.date, seed: int, tree, province: str = "24",
                  catalogue_codes: set[str] | None = None) -> list[Planned]:
    """The demo's tasks and their lives up to ``today`` (same seed, same plan)."""
    planner = _Planner(today=today, seed=seed, tree=tree, province=province, cal=load_holidays())
    planned = planner.plan()
    for p in planned:
        if catalogue_codes is not None:
            p.indicators = tuple(i for i in p.indicators if i in catalogue_codes)
        planner.live(p)
    return planned


def remove_demo_tasks(session: Session, province: str) -> int:
    """The demo's own tasks (by their export ids) and their lives, gone: a rebuild starts clean."""
    ids = list(session.scalars(select(TaskRow.id).where(TaskRow.province_code == province,
                                                         TaskRow.external_id.like(EXTERNAL_PREFIX + "%"))))
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        session.execute(delete(TaskEvent).where(TaskEvent.task_id.in_(chunk)).execution_options(
            synchronize_session=False))
        session.execute(delete(TaskChange).where(TaskChange.task_id.in_(chunk)).execution_options(
            synchronize_session=False))
        session.execute(delete(TaskRow).where(TaskRow.id.in_(chunk)).execution_options(synchronize_session=False))
    session.flush()
    return len(ids)


def _moment(day: dt.date, minute: int) -> dt.datetime:
    """A working-hours moment of ``day`` in the province's time zone, as UTC."""
    local = dt.datetime.combine(day, dt.time(8 + minute // 60 % 9, minute % 60), settings.timezone())
    return local.astimezone(dt.UTC)


def enter_lives(session: Session, planned: list[Planned]) -> int:
    """Every planned event through ``repo_tasks.add_event``; the number entered."""
    rows = {r.external_id: r for r in session.scalars(
        select(TaskRow).where(TaskRow.external_id.in_([p.external_id for p in planned])))}
    entered = 0
    for p in planned:
        row = rows[p.external_id]
        first = zlib.crc32(p.external_id.encode()) % 300   # the task's events of one day keep their order
        for i, s in enumerate(p.life):
            # when each happened, not when the demo ran
            repo_tasks.add_event(
                session, row, s.kind, by=s.by, unit_code=s.unit, day=s.day, instance=s.instance, percent=s.percent,
                text=s.text, evidence=[dict(s.evidence)] if s.evidence else None, requested=s.requested,
                decision=s.decision, at=_moment(s.day, min(first + 7 * i, 539)))
            entered += 1
    return entered


def build_demo_tasks(session: Session, *, today: dt.date, seed: int, province: str, tree, catalogue,
                     out: Path, by: str = DEMO_ACTOR) -> dict[str, Any]:
    """Write the export to ``out`` / TASKS_FILE, import it as a province would, and enter each
    task's life; a summary (what the build step records)."""
    codes = set(getattr(catalogue, "indicators", catalogue) or ())
    planned = plan_register(today=today, seed=seed, tree=tree, province=province, catalogue_codes=codes)
    own = getattr(catalogue, "fields", None) or {}
    fields = {code: f.name for code, f in own.items()} or None
    path = write_export(out / TASKS_FILE, planned, unit_labels(tree, province), fields)
    removed = remove_demo_tasks(session, province)
    report = import_tasks(session, path, name=path.name, province=province, tree=tree, catalogue=catalogue,
                          by=by, source="file")
    events = enter_lives(session, planned)
    return {"file": TASKS_FILE, "bytes": path.stat().st_size, "tasks": len(planned), "created": report.created,
            "events": events, "removed": removed, "today": today.isoformat()}


def demo_task_count(session: Session, province: str) -> int:
    """How many of the demo's own tasks the register holds."""
    return session.scalar(select(func.count()).select_from(TaskRow).where(
        TaskRow.province_code == province, TaskRow.external_id.like(EXTERNAL_PREFIX + "%"))) or 0
