"""Sectors (lĩnh vực): which procedures a kind of unit handles, and how busy it is.

A provincial department is recognised by its name (or the abbreviation in its code) and
gets its sector's procedures and dossier volume: Sở Tư pháp, Sở Xây dựng, Sở Nông
nghiệp và Môi trường, Công an tỉnh and Bảo hiểm xã hội receive many dossiers, the Văn
phòng UBND very few. Communes and wards all handle one common commune-level list.

Procedure names come from templates: ``"C4:giấy phép xây dựng nhà ở riêng lẻ"`` expands
with the first four verbs of family ``C`` into "Cấp giấy phép xây dựng nhà ở riêng lẻ",
"Cấp lại …", "Gia hạn …", "Điều chỉnh …"; ``"=Name"`` is a single procedure. Each leading
``*`` makes the procedure five times as popular (Chứng thực bản sao, Đăng ký khai sinh
dominate a commune's counter).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Verb families: (pattern, popularity relative to the first variant).
FAMILIES: dict[str, tuple[tuple[str, float], ...]] = {
    "C": (("Cấp {}", 1.0), ("Cấp lại {}", 0.3), ("Gia hạn {}", 0.15), ("Điều chỉnh {}", 0.15),
          ("Cấp đổi {}", 0.12), ("Thu hồi {}", 0.03)),
    "R": (("Đăng ký {}", 1.0), ("Đăng ký lại {}", 0.12), ("Đăng ký thay đổi {}", 0.25),
          ("Xóa đăng ký {}", 0.05)),
    "T": (("Thành lập {}", 1.0), ("Thay đổi nội dung đăng ký hoạt động của {}", 0.4),
          ("Tạm ngừng hoạt động {}", 0.1), ("Giải thể {}", 0.05)),
    "A": (("Thẩm định {}", 1.0), ("Phê duyệt {}", 0.7), ("Điều chỉnh {}", 0.2)),
    "B": (("Giải quyết {}", 1.0), ("Điều chỉnh mức {}", 0.2), ("Chuyển nơi {}", 0.08)),
}
STAR_POPULARITY = 5.0


@dataclass(frozen=True)
class Sector:
    key: str
    vi: str
    keywords: tuple[str, ...]  # lower-case fragments of a department's name
    abbreviations: tuple[str, ...]  # code suffixes (after "<province>-")
    volume: float  # relative dossier volume of one department of this sector
    fee_rate: float  # share of its procedures with a fee or charge
    citizen_rate: float  # share of its procedures whose subjects include citizens
    days: tuple[int, int]  # statutory working days, range
    templates: tuple[str, ...]


@dataclass(frozen=True)
class ProcedureTemplate:
    name: str
    popularity: float


_TEMPLATE = re.compile(r"^(\**)(?:([A-Z])(\d*):|=)(.+)$")


def expand(templates: tuple[str, ...]) -> list[ProcedureTemplate]:
    """Expand a sector's templates into named procedures with a relative popularity."""
    out: list[ProcedureTemplate] = []
    for t in templates:
        m = _TEMPLATE.match(t)
        if m is None:
            raise ValueError(f"bad procedure template {t!r}")
        stars, family, count, text = m.groups()
        base = STAR_POPULARITY ** len(stars)
        if family is None:
            out.append(ProcedureTemplate(text, base))
            continue
        variants = FAMILIES[family][: int(count) if count else None]
        out.extend(ProcedureTemplate(p.format(text), base * w) for p, w in variants)
    return out


SECTORS: tuple[Sector, ...] = (
    Sector("justice", "Tư pháp", ("tư pháp",), ("STP",), 3.0, 0.7, 0.95, (2, 20), (
        "***=Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        "*=Cấp Phiếu lý lịch tư pháp cho cơ quan nhà nước, cơ quan tiến hành tố tụng",
        "C:thẻ công chứng viên", "C:giấy đăng ký hoạt động của Văn phòng công chứng",
        "T:Văn phòng công chứng", "C:thẻ đấu giá viên", "R3:hoạt động của doanh nghiệp đấu giá tài sản",
        "C:giấy đăng ký hoạt động của tổ chức hành nghề luật sư", "C3:thẻ thừa phát lại",
        "T:Văn phòng thừa phát lại", "C3:thẻ giám định viên tư pháp", "T:Văn phòng giám định tư pháp",
        "*R2:khai sinh có yếu tố nước ngoài", "*R2:kết hôn có yếu tố nước ngoài",
        "R2:nuôi con nuôi có yếu tố nước ngoài", "R2:khai tử có yếu tố nước ngoài",
        "=Ghi vào Sổ hộ tịch việc ly hôn đã được giải quyết ở nước ngoài",
        "=Thay đổi, cải chính, bổ sung thông tin hộ tịch có yếu tố nước ngoài",
        "=Bổ nhiệm, bổ nhiệm lại công chứng viên", "=Đăng ký tập sự hành nghề công chứng",
        "C3:giấy đăng ký hoạt động của Trung tâm trọng tài", "=Đăng ký làm cộng tác viên trợ giúp pháp lý",
        "=Giải quyết yêu cầu bồi thường tại cơ quan trực tiếp quản lý người thi hành công vụ",
    )),
    Sector("construction", "Xây dựng", ("xây dựng", "quy hoạch"), ("SXD", "SQHKT"), 2.5, 0.55, 0.6, (5, 30), (
        "**C4:giấy phép xây dựng công trình", "*C4:giấy phép xây dựng nhà ở riêng lẻ trong đô thị",
        "C4:giấy phép di dời công trình", "*C:chứng chỉ hành nghề hoạt động xây dựng",
        "C:chứng chỉ năng lực hoạt động xây dựng", "*A3:báo cáo nghiên cứu khả thi đầu tư xây dựng",
        "A3:thiết kế xây dựng triển khai sau thiết kế cơ sở", "A2:nhiệm vụ quy hoạch chi tiết",
        "=Kiểm tra công tác nghiệm thu hoàn thành công trình", "=Công nhận hạng nhà chung cư",
        "C3:giấy phép hoạt động xây dựng cho nhà thầu nước ngoài",
        "=Thông báo nhà ở hình thành trong tương lai đủ điều kiện được bán, cho thuê mua",
        "C3:giấy phép kinh doanh vận tải bằng xe ô tô", "*=Cấp phù hiệu xe ô tô kinh doanh vận tải",
        "*C3:giấy phép lái xe", "=Đăng ký khai thác tuyến vận tải hành khách cố định bằng xe ô tô",
        "C3:giấy chứng nhận đăng ký phương tiện thủy nội địa",
        "=Chấp thuận xây dựng công trình thiết yếu trong phạm vi bảo vệ kết cấu hạ tầng giao thông",
    )),
    Sector("agriculture", "Nông nghiệp và Môi trường", ("nông nghiệp", "môi trường", "tài nguyên"),
           ("SNNMT", "SNN", "STNMT"), 3.0, 0.5, 0.75, (3, 30), (
        "***=Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất cho tổ chức",
        "**=Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất cho tổ chức",
        "*=Cung cấp thông tin, dữ liệu đất đai", "=Giao đất, cho thuê đất không thông qua đấu giá",
        "=Chuyển mục đích sử dụng đất đối với tổ chức", "C4:giấy phép môi trường",
        "A3:báo cáo đánh giá tác động môi trường", "C4:giấy phép khai thác khoáng sản",
        "C4:giấy phép khai thác, sử dụng nước mặt", "C3:giấy phép xả nước thải vào nguồn nước",
        "C3:giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông lâm thủy sản",
        "C3:chứng chỉ hành nghề thú y", "C3:giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật",
        "C3:giấy phép hoạt động đo đạc và bản đồ", "R2:tàu cá", "C3:giấy phép khai thác thủy sản",
        "=Công nhận cây đầu dòng, vườn cây đầu dòng", "=Phê duyệt phương án trồng rừng thay thế",
        "=Xác nhận nguồn gốc lâm sản", "=Đăng ký mã số vùng trồng",
    )),
    Sector("police", "Công an", ("công an",), ("CA", "CAT", "CAP"), 3.5, 0.6, 0.97, (1, 15), (
        "***=Cấp thẻ Căn cước cho công dân từ đủ 14 tuổi trở lên", "**=Cấp đổi thẻ Căn cước",
        "*=Cấp lại thẻ Căn cước", "*=Cấp thẻ Căn cước cho người dưới 14 tuổi",
        "**=Cấp hộ chiếu phổ thông trong nước", "*=Cấp lại hộ chiếu phổ thông",
        "**R3:xe ô tô", "**R3:xe mô tô, xe gắn máy", "=Cấp định danh điện tử mức độ 2",
        "C3:giấy chứng nhận đủ điều kiện về an ninh, trật tự", "=Thẩm duyệt thiết kế về phòng cháy và chữa cháy",
        "=Nghiệm thu về phòng cháy và chữa cháy", "C3:giấy phép sử dụng vũ khí thô sơ",
        "=Cấp thị thực cho người nước ngoài tại Việt Nam", "C3:thẻ tạm trú cho người nước ngoài",
        "=Khai báo tạm trú cho người nước ngoài", "=Xác nhận thông tin về cư trú",
    )),
    Sector("social_insurance", "Bảo hiểm xã hội", ("bảo hiểm",), ("BHXH",), 2.5, 0.05, 0.95, (1, 20), (
        "***=Đăng ký, đăng ký lại, điều chỉnh đóng bảo hiểm xã hội bắt buộc, bảo hiểm y tế",
        "**=Cấp lại, đổi, điều chỉnh thông tin trên sổ bảo hiểm xã hội, thẻ bảo hiểm y tế",
        "**=Đăng ký đóng bảo hiểm y tế đối với người chỉ tham gia bảo hiểm y tế",
        "*=Đăng ký đóng bảo hiểm xã hội tự nguyện", "*B1:hưởng chế độ ốm đau, thai sản",
        "*B:hưởng lương hưu", "B1:hưởng trợ cấp bảo hiểm xã hội một lần", "B2:hưởng chế độ tử tuất",
        "B:hưởng chế độ tai nạn lao động, bệnh nghề nghiệp",
        "=Thanh toán trực tiếp chi phí khám bệnh, chữa bệnh bảo hiểm y tế",
        "=Xác nhận quá trình đóng bảo hiểm xã hội", "=Hoàn trả tiền đóng bảo hiểm xã hội, bảo hiểm y tế",
        "=Giải quyết hưởng trợ cấp thất nghiệp",
    )),
    Sector("tax", "Thuế", ("thuế",), ("THUE", "CT", "CTT"), 1.5, 0.3, 0.7, (1, 10), (
        "***=Đăng ký thuế lần đầu đối với hộ kinh doanh, cá nhân kinh doanh",
        "**=Khai lệ phí trước bạ nhà, đất", "**=Khai thuế thu nhập cá nhân đối với chuyển nhượng bất động sản",
        "*=Khai lệ phí trước bạ phương tiện", "*=Đăng ký thay đổi thông tin đăng ký thuế",
        "*=Cấp lại Giấy chứng nhận đăng ký thuế", "*=Quyết toán thuế thu nhập cá nhân",
        "=Hoàn thuế thu nhập cá nhân", "=Hoàn thuế giá trị gia tăng", "=Miễn, giảm thuế sử dụng đất phi nông nghiệp",
        "=Gia hạn nộp thuế", "=Xác nhận việc thực hiện nghĩa vụ thuế", "=Xóa nợ tiền thuế, tiền chậm nộp",
        "=Đăng ký sử dụng hóa đơn điện tử", "=Cấp hóa đơn điện tử có mã theo từng lần phát sinh",
        "=Khôi phục mã số thuế", "=Chấm dứt hiệu lực mã số thuế", "=Khai thuế đối với hoạt động cho thuê tài sản",
        "=Nộp dần tiền thuế nợ", "=Tạm ngừng hoạt động, kinh doanh có thông báo với cơ quan thuế",
    )),
    Sector("health", "Y tế", ("y tế", "an toàn thực phẩm"), ("SYT", "SATTP"), 1.2, 0.75, 0.7, (5, 30), (
        "*C:giấy phép hành nghề khám bệnh, chữa bệnh", "C:giấy phép hoạt động cơ sở khám bệnh, chữa bệnh",
        "*C:chứng chỉ hành nghề dược", "C:giấy chứng nhận đủ điều kiện kinh doanh dược",
        "C3:giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "=Tiếp nhận bản tự công bố sản phẩm",
        "C3:giấy xác nhận nội dung quảng cáo mỹ phẩm", "=Tiếp nhận phiếu công bố sản phẩm mỹ phẩm",
        "=Công bố cơ sở đủ điều kiện thực hiện khám sức khỏe", "=Giám định y khoa lần đầu",
        "=Cấp giấy chứng sinh cho trường hợp trẻ sinh ra ngoài cơ sở y tế",
        "C3:giấy phép nhập khẩu thuốc", "=Công bố đủ điều kiện sản xuất trang thiết bị y tế",
    )),
    Sector("education", "Giáo dục và Đào tạo", ("giáo dục",), ("SGDDT", "SGD"), 0.8, 0.25, 0.85, (5, 20), (
        "*=Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "*=Chỉnh sửa nội dung văn bằng, chứng chỉ",
        "=Công nhận văn bằng tốt nghiệp do cơ sở giáo dục nước ngoài cấp", "T:trường trung học phổ thông",
        "T:trung tâm ngoại ngữ, tin học", "=Cho phép trung tâm ngoại ngữ, tin học hoạt động giáo dục",
        "=Chuyển trường đối với học sinh trung học phổ thông", "=Xin học lại tại trường khác",
        "=Cấp giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp",
        "=Phúc khảo bài thi tốt nghiệp trung học phổ thông", "=Đăng ký dự thi tốt nghiệp trung học phổ thông",
        "C3:giấy phép tổ chức dạy thêm, học thêm",
        "=Công nhận trường đạt chuẩn quốc gia", "=Cho phép trường trung học phổ thông hoạt động giáo dục",
        "T:trường trung cấp", "=Cấp phép hoạt động giáo dục kỹ năng sống",
        "=Công nhận kết quả kiểm định chất lượng giáo dục",
    )),
    Sector("finance", "Tài chính", ("tài chính", "kế hoạch và đầu tư"), ("STC", "SKHDT"), 1.5, 0.45, 0.25,
           (3, 15), (
        "***=Đăng ký thành lập doanh nghiệp tư nhân",
        "***=Đăng ký thành lập công ty trách nhiệm hữu hạn", "**=Đăng ký thành lập công ty cổ phần",
        "**=Đăng ký thay đổi nội dung đăng ký doanh nghiệp", "*=Thông báo thay đổi nội dung đăng ký doanh nghiệp",
        "*=Tạm ngừng kinh doanh", "=Giải thể doanh nghiệp", "R3:hoạt động chi nhánh, văn phòng đại diện",
        "=Cấp quyết định chủ trương đầu tư", "C4:giấy chứng nhận đăng ký đầu tư",
        "=Cấp mã số đơn vị có quan hệ với ngân sách", "=Thẩm định quyết toán vốn đầu tư dự án hoàn thành",
        "=Đăng ký giá", "=Xác lập quyền sở hữu toàn dân đối với tài sản",
        "=Đăng ký thành lập công ty hợp danh", "=Chuyển đổi loại hình doanh nghiệp",
        "=Đăng ký thay đổi chủ sở hữu công ty trách nhiệm hữu hạn một thành viên",
        "=Hiệu đính thông tin đăng ký doanh nghiệp", "=Cấp lại Giấy chứng nhận đăng ký doanh nghiệp",
        "=Thông báo lập địa điểm kinh doanh", "=Đăng ký góp vốn, mua cổ phần của nhà đầu tư nước ngoài",
        "=Đăng ký thành lập liên hiệp hợp tác xã",
    )),
    Sector("industry", "Công Thương", ("công thương",), ("SCT",), 1.0, 0.7, 0.3, (3, 20), (
        "*C:giấy phép bán buôn rượu", "C:giấy phép bán buôn sản phẩm thuốc lá",
        "C:giấy chứng nhận đủ điều kiện thương nhân kinh doanh xăng dầu", "C:giấy phép hoạt động điện lực",
        "*C:giấy phép kinh doanh hàng hóa cho tổ chức kinh tế có vốn đầu tư nước ngoài",
        "*=Cấp Giấy chứng nhận xuất xứ hàng hóa", "=Đăng ký thực hiện khuyến mại",
        "C3:giấy chứng nhận đủ điều kiện an toàn thực phẩm trong lĩnh vực công thương",
        "=Cấp giấy phép sử dụng vật liệu nổ công nghiệp", "R2:hợp đồng theo mẫu, điều kiện giao dịch chung",
        "=Thông báo tổ chức hội chợ, triển lãm thương mại",
        "C3:giấy phép thành lập văn phòng đại diện thương nhân nước ngoài",
    )),
    Sector("home_affairs", "Nội vụ", ("nội vụ", "lao động"), ("SNV",), 0.6, 0.2, 0.8, (5, 30), (
        "*C:giấy phép lao động cho người nước ngoài",
        "=Xác nhận người lao động nước ngoài không thuộc diện cấp giấy phép",
        "*=Giải quyết hưởng chế độ ưu đãi người có công với cách mạng",
        "=Cấp giấy chứng nhận người có công", "=Công nhận ban vận động thành lập hội",
        "=Phê duyệt điều lệ hội", "T:hội", "=Thi tuyển công chức", "=Xét tuyển viên chức",
        "=Đăng ký nội quy lao động", "=Gửi thỏa ước lao động tập thể", "C3:giấy phép hoạt động dịch vụ việc làm",
        "=Xét tặng danh hiệu Chiến sĩ thi đua cấp tỉnh", "=Tặng Bằng khen của Chủ tịch UBND tỉnh",
    )),
    Sector("science", "Khoa học và Công nghệ", ("khoa học",), ("SKHCN",), 0.3, 0.55, 0.3, (5, 30), (
        "C:giấy chứng nhận đăng ký hoạt động khoa học và công nghệ", "C3:giấy phép tiến hành công việc bức xạ",
        "C3:chứng chỉ nhân viên bức xạ", "=Đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ",
        "=Công bố hợp chuẩn, hợp quy", "=Kiểm tra nhà nước về chất lượng hàng hóa nhập khẩu",
        "C3:giấy phép thiết lập mạng viễn thông dùng riêng", "C3:giấy phép hoạt động in",
        "=Đăng ký hoạt động cơ sở in", "C3:giấy phép xuất bản bản tin",
    )),
    Sector("culture", "Văn hóa, Thể thao và Du lịch", ("văn hóa", "du lịch"), ("SVHTTDL", "SVH"), 0.5, 0.6,
           0.6, (3, 20), (
        "*C:giấy phép kinh doanh dịch vụ lữ hành nội địa", "C:thẻ hướng dẫn viên du lịch",
        "=Công nhận hạng cơ sở lưu trú du lịch", "C3:giấy phép tổ chức biểu diễn nghệ thuật",
        "=Đăng ký tổ chức lễ hội", "C3:giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao",
        "=Cấp giấy phép kinh doanh dịch vụ karaoke", "C3:giấy phép triển lãm mỹ thuật",
        "=Xếp hạng di tích cấp tỉnh", "=Cấp giấy phép làm bản sao di vật, cổ vật",
    )),
    Sector("ethnic_religion", "Dân tộc và Tôn giáo", ("dân tộc", "tôn giáo"), ("SDTTG",), 0.2, 0.05, 0.9,
           (10, 30), (
        "=Đăng ký hoạt động tôn giáo", "=Đăng ký sinh hoạt tôn giáo tập trung",
        "=Thông báo tổ chức hội nghị thường niên của tổ chức tôn giáo", "=Đề nghị tổ chức cuộc lễ ngoài cơ sở tôn giáo",
        "=Công nhận người có uy tín trong đồng bào dân tộc thiểu số", "=Thông báo người được phong phẩm, bổ nhiệm",
        "R2:pháp nhân phi thương mại cho tổ chức tôn giáo", "=Chấp thuận sửa chữa, cải tạo công trình tôn giáo",
        "=Đăng ký người được bổ nhiệm, bầu cử, suy cử làm chức việc",
        "=Đăng ký thuyên chuyển chức sắc, chức việc, nhà tu hành", "=Đề nghị giảng đạo ngoài địa bàn phụ trách",
        "=Đăng ký mở lớp bồi dưỡng về tôn giáo", "=Đề nghị tổ chức đại hội của tổ chức tôn giáo",
        "=Thông báo thay đổi trụ sở của tổ chức tôn giáo", "=Đề nghị thành lập tổ chức tôn giáo trực thuộc",
        "=Đăng ký hoạt động tín ngưỡng liên xã", "=Đề nghị tổ chức lễ hội tín ngưỡng",
        "=Phê duyệt hỗ trợ đồng bào dân tộc thiểu số", "=Cấp phát hỗ trợ học sinh dân tộc thiểu số",
    )),
    Sector("industrial_zones", "Ban Quản lý các khu công nghiệp",
           ("khu công nghiệp", "khu kinh tế", "khu chế xuất", "công nghệ cao"),
           ("BQLKCN", "BQL"), 0.6, 0.35, 0.05, (5, 30), (
        "*C4:giấy chứng nhận đăng ký đầu tư trong khu công nghiệp",
        "*C:giấy phép lao động cho người nước ngoài làm việc trong khu công nghiệp",
        "=Quyết định chủ trương đầu tư dự án trong khu công nghiệp",
        "C3:giấy phép xây dựng công trình trong khu công nghiệp",
        "=Xác nhận hợp đồng cho thuê lại đất trong khu công nghiệp",
        "=Đăng ký nội quy lao động doanh nghiệp khu công nghiệp",
        "=Cấp Giấy chứng nhận xuất xứ hàng hóa mẫu D",
        "=Thẩm định báo cáo đánh giá tác động môi trường khu công nghiệp",
        "=Xác nhận ưu đãi đầu tư trong khu công nghiệp", "=Chấm dứt hoạt động dự án đầu tư trong khu công nghiệp",
        "=Gửi thỏa ước lao động tập thể doanh nghiệp khu công nghiệp",
        "=Thông báo khởi công xây dựng trong khu công nghiệp",
    )),
    Sector("office", "Văn phòng UBND", ("văn phòng",), ("VPUBND", "VP"), 0.1, 0.1, 0.6, (3, 15), (
        "=Cho phép sử dụng thẻ đi lại của doanh nhân APEC", "=Giải quyết khiếu nại lần đầu",
        "=Giải quyết khiếu nại lần hai", "=Giải quyết tố cáo", "=Tiếp công dân tại trụ sở tiếp công dân tỉnh",
        "=Xử lý đơn thư", "=Cung cấp thông tin theo yêu cầu", "=Tặng Cờ thi đua của UBND tỉnh",
        "=Cho phép tổ chức hội nghị, hội thảo quốc tế", "=Đăng ký làm việc với cơ quan báo chí nước ngoài",
        "=Giải quyết yêu cầu bồi thường nhà nước", "=Tiếp nhận, xử lý phản ánh, kiến nghị về quy định hành chính",
        "=Xét tặng danh hiệu Tập thể lao động xuất sắc", "=Tặng Bằng khen của UBND tỉnh", "=Cho phép đoàn ra",
        "=Tiếp nhận đoàn vào", "=Cho phép tổ chức nước ngoài mở văn phòng đại diện", "=Cho phép sử dụng con dấu",
    )),
    Sector("foreign", "Ngoại vụ", ("ngoại vụ",), ("SNGV",), 0.15, 0.3, 0.7, (3, 15), (
        "*=Cho phép sử dụng thẻ đi lại của doanh nhân APEC (ABTC)",
        "=Cho phép cơ quan, đơn vị mời khách nước ngoài vào làm việc",
        "=Cho phép cán bộ, công chức đi nước ngoài", "=Hợp pháp hóa lãnh sự giấy tờ, tài liệu",
        "=Chứng nhận lãnh sự giấy tờ, tài liệu", "=Tiếp nhận thông báo tổ chức hội nghị, hội thảo quốc tế",
        "=Đăng ký hoạt động của tổ chức phi chính phủ nước ngoài", "=Phê duyệt khoản viện trợ không hoàn lại",
        "=Cho phép phóng viên nước ngoài hoạt động tại địa phương",
        "=Xác nhận thông tin công dân Việt Nam ở nước ngoài",
    )),
    Sector("inspection", "Thanh tra", ("thanh tra",), ("TTT", "TTR"), 0.15, 0.0, 0.95, (10, 30), (
        "*=Giải quyết khiếu nại lần đầu tại cấp tỉnh", "*=Giải quyết khiếu nại lần hai tại cấp tỉnh",
        "=Giải quyết tố cáo tại cấp tỉnh", "=Tiếp công dân tại cấp tỉnh",
        "=Xử lý đơn khiếu nại, tố cáo, kiến nghị, phản ánh",
        "=Kê khai tài sản, thu nhập", "=Xác minh tài sản, thu nhập", "=Tiếp nhận yêu cầu giải trình",
        "=Thực hiện việc giải trình", "=Khen thưởng người có thành tích trong tố cáo",
    )),
    Sector("general", "Khác", (), (), 0.4, 0.3, 0.6, (5, 20), (
        "*=Cung cấp thông tin theo yêu cầu", "=Giải quyết khiếu nại lần đầu", "=Giải quyết tố cáo",
        "C3:giấy phép hoạt động chuyên ngành", "R3:hoạt động chuyên ngành", "A3:đề án chuyên ngành",
        "=Xác nhận thông tin hồ sơ lưu trữ", "=Cấp bản sao tài liệu lưu trữ", "T:tổ chức sự nghiệp trực thuộc",
        "=Công nhận tổ chức đủ điều kiện hoạt động", "=Xét tặng danh hiệu thi đua",
        "=Xét tặng Kỷ niệm chương", "=Đề nghị khen thưởng theo công trạng", "=Tặng Giấy khen của Giám đốc sở",
        "=Cấp bản sao, chứng thực tài liệu lưu trữ", "=Tiếp nhận hồ sơ, tài liệu vào lưu trữ lịch sử",
        "=Xét tuyển viên chức làm việc tại đơn vị sự nghiệp", "=Thăng hạng chức danh nghề nghiệp viên chức",
        "=Tiếp nhận vào làm công chức", "=Cung cấp dữ liệu chuyên ngành",
        "=Thẩm định hồ sơ đề nghị hỗ trợ theo chính sách của tỉnh", "=Chấp thuận chủ trương tài trợ",
        "=Giải quyết yêu cầu bồi thường trong hoạt động quản lý hành chính",
    )),
)

COMMUNE = Sector("commune", "Cấp xã", (), (), 1.0, 0.35, 0.95, (1, 20), (
    # Hộ tịch
    "***R2:khai sinh", "*R2:khai tử", "*R2:kết hôn", "R1:nhận cha, mẹ, con", "R1:giám hộ",
    "R1:chấm dứt giám hộ", "=Đăng ký khai sinh kết hợp nhận cha, mẹ, con",
    "*=Thay đổi, cải chính, bổ sung, xác định lại dân tộc, thông tin hộ tịch",
    "**=Cấp bản sao Trích lục hộ tịch", "**=Cấp Giấy xác nhận tình trạng hôn nhân",
    "=Ghi vào Sổ hộ tịch việc hộ tịch của công dân Việt Nam đã được giải quyết ở nước ngoài",
    "=Đăng ký khai sinh lưu động", "=Đăng ký kết hôn lưu động",
    "=Liên thông thủ tục đăng ký khai sinh, thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
    "=Liên thông thủ tục đăng ký khai tử, xóa đăng ký thường trú, hưởng chế độ tử tuất",
    # Chứng thực
    "****=Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
    "***=Chứng thực chữ ký trong các giấy tờ, văn bản",
    "**=Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở",
    "=Chứng thực di chúc", "=Chứng thực văn bản thỏa thuận phân chia di sản",
    "=Chứng thực văn bản khai nhận di sản", "=Chứng thực chữ ký người dịch",
    "=Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
    "=Sửa lỗi sai sót trong hợp đồng, giao dịch đã được chứng thực",
    "=Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực",
    # Đất đai
    "**=Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu",
    "**=Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
    "*=Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
    "=Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất", "=Đính chính Giấy chứng nhận đã cấp",
    "*=Tách thửa hoặc hợp thửa đất", "*=Chuyển mục đích sử dụng đất đối với hộ gia đình, cá nhân",
    "=Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", "=Xóa đăng ký thế chấp quyền sử dụng đất",
    "=Hòa giải tranh chấp đất đai", "=Gia hạn sử dụng đất nông nghiệp của hộ gia đình, cá nhân",
    # Xây dựng
    "*C4:giấy phép xây dựng nhà ở riêng lẻ", "=Cấp giấy phép sửa chữa, cải tạo công trình",
    "=Thông báo khởi công xây dựng công trình", "=Cấp giấy phép xây dựng có thời hạn",
    # Hộ kinh doanh, hợp tác xã
    "**=Đăng ký thành lập hộ kinh doanh", "*=Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
    "=Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
    "=Chấm dứt hoạt động hộ kinh doanh", "=Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh",
    "=Đăng ký thành lập hợp tác xã", "=Đăng ký thay đổi tên, địa chỉ trụ sở chính của hợp tác xã",
    # Bảo trợ xã hội, người có công, trẻ em
    "*B:hưởng trợ cấp xã hội hàng tháng đối với đối tượng bảo trợ xã hội", "B1:hỗ trợ chi phí mai táng",
    "*=Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
    "=Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm", "=Công nhận hộ thoát nghèo, thoát cận nghèo trong năm",
    "=Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở, sửa chữa nhà ở",
    "=Đăng ký hoạt động đối với cơ sở trợ giúp xã hội dưới 10 đối tượng",
    "=Giải quyết chế độ trợ cấp thờ cúng liệt sĩ", "=Cấp giấy xác nhận thân nhân liệt sĩ",
    "=Giải quyết chế độ mai táng phí, trợ cấp một lần khi người có công với cách mạng từ trần",
    "=Đăng ký nhận chăm sóc thay thế cho trẻ em", "=Áp dụng các biện pháp can thiệp khẩn cấp để bảo vệ trẻ em",
    # Giáo dục
    "*=Chuyển trường đối với học sinh tiểu học", "*=Chuyển trường đối với học sinh trung học cơ sở",
    "=Cho phép trường mầm non, tiểu học hoạt động giáo dục", "=Thành lập nhóm trẻ, lớp mẫu giáo độc lập",
    "=Xét, duyệt chính sách hỗ trợ đối với trẻ em mẫu giáo", "=Cấp bản sao văn bằng tốt nghiệp trung học cơ sở",
    # Nông nghiệp, môi trường
    "=Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai, dịch bệnh",
    "=Phê duyệt kế hoạch khuyến nông địa phương", "=Đăng ký kế hoạch bảo vệ môi trường",
    "=Xác nhận nguồn gốc gỗ khai thác từ vườn hộ gia đình", "=Đăng ký nuôi trồng thủy sản lồng bè",
    # Văn hóa, công thương
    "=Thông báo tổ chức lễ hội cấp xã", "C3:giấy phép kinh doanh dịch vụ karaoke",
    "C3:giấy phép bán lẻ sản phẩm thuốc lá", "C3:giấy phép bán lẻ rượu",
    "=Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai",
    "=Công nhận danh hiệu Gia đình văn hóa, Thôn, tổ dân phố văn hóa",
    # Nội vụ, tôn giáo, thi đua
    "=Đăng ký hoạt động tín ngưỡng", "=Thông báo danh mục hoạt động tôn giáo",
    "=Đăng ký sinh hoạt tôn giáo tập trung tại xã", "=Xét tặng danh hiệu Lao động tiên tiến",
    "=Tặng Giấy khen của Chủ tịch UBND cấp xã", "=Công nhận tổ trưởng tổ dân phố",
    # Khiếu nại, tố cáo, tiếp dân
    "=Giải quyết khiếu nại lần đầu tại cấp xã", "=Giải quyết tố cáo tại cấp xã", "=Tiếp công dân tại cấp xã",
    "=Xử lý đơn thư tại cấp xã", "=Cung cấp thông tin theo yêu cầu tại cấp xã",
    # Tư pháp khác, y tế
    "=Công nhận hòa giải viên", "=Thôi làm hòa giải viên", "=Thanh toán thù lao cho hòa giải viên",
    "=Xác nhận đủ điều kiện kinh doanh dịch vụ ăn uống",
    "=Xác nhận thông tin về người có công để hưởng chế độ bảo hiểm y tế",
))

_BY_KEY = {s.key: s for s in (*SECTORS, COMMUNE)}


def sector(key: str) -> Sector:
    return _BY_KEY[key]


def sector_of_department(name: str, code: str) -> Sector:
    """The sector a provincial department belongs to, from its name or code suffix."""
    lowered = unicodedata.normalize("NFC", name).lower()
    for s in SECTORS:
        if any(k in lowered for k in s.keywords):
            return s
    suffix = code.rsplit("-", 1)[-1].upper()
    for s in SECTORS:
        if suffix in s.abbreviations:
            return s
    return _BY_KEY["general"]
