"""Vietnamese message catalogue of the bulletin (bản tin). Placeholders are filled by
``chiso.reports.text`` with numbers already written the Vietnamese way (92,28; 70,7%)."""
from __future__ import annotations

AND = "và"
PREVIOUS = {"week": "tuần trước", "month": "tháng trước", "quarter": "quý trước", "year": "năm trước"}
PREVIOUS_OTHER = "kỳ trước"
PREVIOUS_RANK = {"week": "Hạng tuần trước", "month": "Hạng tháng trước", "quarter": "Hạng quý trước",
                 "year": "Hạng năm trước"}
PER = {"week": "mỗi tuần", "month": "mỗi tháng", "quarter": "mỗi quý", "year": "mỗi năm"}
RECENT = {"week": "tuần", "month": "tháng", "quarter": "quý", "year": "năm"}
LEVEL_PLURAL = {"department": "sở, ban, ngành", "commune": "xã, phường"}

M = {
    # ---- the title and the first heading: one decision (ProvinceFacts.standing), said twice
    "title_takes_lead": "{province} vươn lên dẫn đầu toàn quốc về Chỉ số chỉ đạo, điều hành và chất lượng "
                        "phục vụ người dân, doanh nghiệp",
    "title_keeps_lead": "{province} tiếp tục dẫn đầu toàn quốc về Chỉ số chỉ đạo, điều hành và chất lượng "
                        "phục vụ người dân, doanh nghiệp",
    "title_leads": "{province} dẫn đầu toàn quốc về Chỉ số chỉ đạo, điều hành và chất lượng "
                   "phục vụ người dân, doanh nghiệp",
    "title_rises": "{province} tăng {moved} bậc, vươn lên thứ {rank}/{peers} toàn quốc về Chỉ số chỉ đạo, điều "
                   "hành và chất lượng phục vụ người dân, doanh nghiệp",
    "title_falls": "{province} giảm {moved} bậc, đứng thứ {rank}/{peers} toàn quốc về Chỉ số chỉ đạo, điều "
                   "hành và chất lượng phục vụ người dân, doanh nghiệp",
    "title_holds": "{province} giữ vị trí thứ {rank}/{peers} toàn quốc về Chỉ số chỉ đạo, điều hành và chất "
                   "lượng phục vụ người dân, doanh nghiệp",
    "title_ranked": "{province} đứng thứ {rank}/{peers} toàn quốc về Chỉ số chỉ đạo, điều hành và chất lượng "
                    "phục vụ người dân, doanh nghiệp",
    "heading_takes_lead": "Vươn lên dẫn đầu toàn quốc",
    "heading_keeps_lead": "Giữ vững ổn định, tiếp tục dẫn đầu toàn quốc",
    "heading_leads": "Dẫn đầu toàn quốc",
    "heading_rises": "Tăng {moved} bậc, vươn lên thứ {rank}/{peers} toàn quốc",
    "heading_falls": "Giảm {moved} bậc, đứng thứ {rank}/{peers} toàn quốc",
    "heading_holds": "Giữ vị trí thứ {rank}/{peers} toàn quốc",
    "heading_ranked": "Đứng thứ {rank}/{peers} toàn quốc",
    "subtitle": "Bản tin {period} — {index}",
    "doc_type": "BÁO CÁO",
    "abstract": "Tình hình, kết quả Chỉ số chỉ đạo, điều hành và chất lượng phục vụ người dân, doanh nghiệp "
                "{period}",
    "issued": "Tạo lúc {at} từ {source}",
    "data_until": ", số liệu đến {day}",
    "source_records": "dữ liệu hồ sơ của tỉnh",
    "source_counts": "số liệu Cổng Dịch vụ công quốc gia",
    # ---- headings
    "h_groups_up": "Các chỉ số thành phần tiếp tục chuyển biến tích cực",
    "h_groups": "Các chỉ số thành phần",
    "h_departments": "{leader} dẫn đầu các sở, ban, ngành",
    "h_departments_plain": "Sở, ban, ngành",
    "h_communes": "Xã, phường",
    "h_dm": "Chỉ tiêu chỉ đạo, điều hành và cảnh báo",
    "h_focus": "Định hướng trọng tâm thời gian tới",
    "h_tables": "Bảng số liệu",
    # ---- the method: a change inside the period; criteria not yet determined
    "undetermined": "Tổng điểm tính trên {max} điểm của các tiêu chí đã xác định cách tính; chưa xác định "
                    "cách tính: {names} (không tính vào tổng)",
    # ---- the province
    "total": "Trong {period}, {province} đạt {total} điểm, đứng thứ {rank}/{peers} cả nước",
    "total_change_up": ", tăng {change} điểm so với {previous}",
    "total_change_down": ", giảm {change} điểm so với {previous}",
    "total_change_none": ", giữ nguyên số điểm so với {previous}",
    "total_rank_was": " ({previous} đứng thứ {rank})",
    "total_steady": ", duy trì đà tăng ổn định (tăng từ {low} đến {high} điểm {per} trong {n} {recent} gần đây)",
    "lead_over": "Với kết quả này, {province} vượt {neighbours} ({both}{score} điểm) khoảng {gap} điểm",
    "lead_both": "cùng đạt ",
    "only_above": ", là địa phương duy nhất trong cả nước đạt trên {threshold} điểm.",
    "many_above": "; cả nước có {n} địa phương đạt trên {threshold} điểm.",
    "behind": "{province} kém {neighbours} ({score} điểm) {gap} điểm.",
    "cmp_last_year_up": "So với cùng kỳ năm trước ({period}: {value} điểm{rank}), tổng điểm tăng {difference} điểm.",
    "cmp_last_year_down": "So với cùng kỳ năm trước ({period}: {value} điểm{rank}), tổng điểm giảm {difference} "
                          "điểm.",
    "cmp_last_year_same": "Tổng điểm bằng cùng kỳ năm trước ({period}: {value} điểm{rank}).",
    "cmp_last_year_rank": ", đứng thứ {rank}",
    "cmp_last_year_none": "Chưa có số liệu cùng kỳ năm trước ({period}{since}) để so sánh.",
    "cmp_since": "; số liệu bắt đầu từ {day}",
    "cmp_peers_population": "Trong nhóm {n} tỉnh, thành phố có quy mô dân số gần nhất ({names}; bình quân {value} "
                            "điểm), tỉnh đứng thứ {rank}/{of}.",
    "cmp_peers_setting": "Trong nhóm tỉnh, thành phố tương đồng do tỉnh chọn ({names}; bình quân {value} điểm), tỉnh "
                         "đứng thứ {rank}/{of}.",
    "cmp_national_above": "Bình quân cả nước (trung bình cộng tổng điểm của {n} tỉnh, thành phố) là {value} điểm; "
                          "tỉnh cao hơn {difference} điểm.",
    "cmp_national_below": "Bình quân cả nước (trung bình cộng tổng điểm của {n} tỉnh, thành phố) là {value} điểm; "
                          "tỉnh thấp hơn {difference} điểm.",
    "cmp_national_same": "Tổng điểm của tỉnh bằng bình quân cả nước (trung bình cộng tổng điểm của {n} tỉnh, "
                         "thành phố: {value} điểm).",
    # ---- groups
    "groups_up": "So với {previous}, {k}/{n} chỉ số thành phần của {province} tăng điểm, gồm: {items}.",
    "group_up": "{group} tăng {change} điểm, đạt {points}/{max} điểm ({share})",
    "groups_down": "{k}/{n} chỉ số thành phần giảm điểm: {items}.",
    "group_down": "{group} giảm {change} điểm, còn {points}/{max} điểm ({share})",
    "groups_steady_one": "Chỉ số {names} giữ ổn định, đạt {shares}.",
    "groups_steady_many": "Các chỉ số {names} giữ ổn định, đạt lần lượt {shares}.",
    "groups_plain": "Điểm các chỉ số thành phần: {items}.",
    "group_plain": "{group} {points}/{max} điểm ({share})",
    "lever": "Đáng chú ý, {group} ({points}/{max} điểm – tương đương {share}) là chỉ số có dư địa cải thiện "
             "lớn nhất: nếu đạt {target}, tổng điểm của tỉnh có thể tăng thêm khoảng {gain} điểm, lên {after} điểm.",
    # ---- peers
    "dept_takes_lead": "Theo bảng xếp hạng {period_short}, {leader} vươn lên dẫn đầu với {total} điểm, "
                       "vượt {others}.",
    "dept_keeps_lead": "Theo bảng xếp hạng {period_short}, {leader} tiếp tục dẫn đầu với {total} điểm, "
                       "tiếp theo là {others}.",
    "dept_lead": "Theo bảng xếp hạng {period_short}, {leader} dẫn đầu với {total} điểm, tiếp theo là {others}.",
    "commune_takes_lead": "Ở cấp cơ sở, {leader} vươn lên dẫn đầu với {total} điểm, vượt {others}.",
    "commune_keeps_lead": "Ở cấp cơ sở, {leader} tiếp tục dẫn đầu với {total} điểm, tiếp theo là {others}.",
    "commune_lead": "Ở cấp cơ sở, {leader} dẫn đầu với {total} điểm, tiếp theo là {others}.",
    "unit_score": "{name} ({total} điểm)",
    "band": "{band} ({range}) gồm {n} đơn vị: {names}.",
    "band_empty": "{band} ({range}): chưa có đơn vị nào.",
    "range_above_strict": "trên {lower} điểm",
    "range_above": "từ {lower} điểm trở lên",
    "range_between": "từ {lower} đến {upper} điểm",
    "range_between_strict": "trên {lower} đến {upper} điểm",
    "range_below": "dưới {upper} điểm",
    "mover": "Đáng chú ý, {name} tăng {change} điểm, vươn từ vị trí thứ {previous} lên thứ {rank} toàn tỉnh — "
             "đơn vị tiến bộ nhất {period_short}.",
    "spread": "Khoảng cách giữa {n} {level} dẫn đầu là {spread} điểm.",
    "gap": "Nhóm {n} đơn vị cuối bảng (bình quân {bottom} điểm) thấp hơn nhóm {n} đơn vị dẫn đầu (bình quân "
           "{top} điểm) khoảng {gap} điểm",
    "gap_causes": "; nhóm này mất nhiều điểm nhất ở {causes}.",
    "weakest": "Thấp nhất là {name} ({total} điểm), mất nhiều điểm nhất ở {causes}.",
    "cause": "{group} (đạt {share}, mất {lost} điểm{detail})",
    "cause_detail": "; thấp nhất: {criteria}",
    "cause_criterion": "{name} chỉ đạt {ratio}",
    "sync_records_one": "Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia chưa đạt 90% tại {units}.",
    "sync_records": "Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia chưa đạt 90% tại {n} đơn vị: {units}.",
    "sync_unit": "{name} ({ratio}, {synced}/{received} hồ sơ)",
    "more_units": "{n} đơn vị khác",
    "more_indicators": "{n} chỉ tiêu khác",
    "more_periods": "{n} kỳ khác",
    "sync_connector": "{name}: nguồn dữ liệu chậm cập nhật ({detail}).",
    "period_short_week": "tuần",
    "period_short_other": "kỳ này",
    # ---- DM
    "dm_summary": "Trong {n} chỉ tiêu chỉ đạo, điều hành đang theo dõi, {off} chỉ tiêu chậm tiến độ hoặc có nguy "
                  "cơ không đạt; {w} cảnh báo đang mở.",
    "dm_none": "Không có chỉ tiêu chậm tiến độ và không có cảnh báo đang mở.",
    "dm_field_off": "Lĩnh vực {field} có {items}.",
    "dm_status": "{n} chỉ tiêu {status}: {items}",
    "dm_indicator": "{name} ({value} so với chỉ tiêu {target})",
    "dm_warnings": "Lĩnh vực {field} có {k} cảnh báo đang mở",
    "dm_critical": " (trong đó {n} cảnh báo mức nghiêm trọng)",
    "dm_critical_one": " (mức nghiêm trọng)",
    "dm_kinds": ": {items}",
    "dm_kind": "{n} cảnh báo {kind}",
    "dm_kind_one": " về {kind}",
    "dm_on": ", liên quan đến {items}",
    "dm_at": "; đơn vị: {items}",
    "dm_periods": "; kỳ số liệu: {items}",
    # ---- assigned tasks (chiso.reports.task_section)
    "h_tasks": "Thực hiện nhiệm vụ UBND tỉnh, Chủ tịch UBND tỉnh giao",
    "tasks_states": "Tính đến ngày {day}, lũy kế từ đầu năm có {total} nhiệm vụ: {on_time} hoàn thành đúng hạn, "
                    "{late} hoàn thành quá hạn, {in_time} đang thực hiện trong hạn và {overdue} đang thực hiện quá "
                    "hạn",
    "tasks_over120": " (trong đó {n} nhiệm vụ quá hạn trên 120 ngày)",
    "tasks_overdue_up": "; số nhiệm vụ quá hạn tăng {n} so với tuần trước",
    "tasks_overdue_down": "; số nhiệm vụ quá hạn giảm {n} so với tuần trước",
    "tasks_overdue_same": "; số nhiệm vụ quá hạn không đổi so với tuần trước",
    "tasks_rate": "Tỷ lệ hoàn thành đúng hạn đạt {rate}",
    "tasks_rate_none": "Chưa có nhiệm vụ nào đến hạn",
    "tasks_rate_up": ", tăng {change} điểm phần trăm so với tuần trước",
    "tasks_rate_down": ", giảm {change} điểm phần trăm so với tuần trước",
    "tasks_rate_same": ", không đổi so với tuần trước",
    "tasks_updates": "; {updated}/{open} nhiệm vụ đang thực hiện được cập nhật tiến độ trong {days} ngày qua ({rate}).",
    "tasks_no_open": "; không còn nhiệm vụ đang thực hiện.",
    "tasks_longest": "Các nhiệm vụ quá hạn lâu nhất:",
    "tasks_none_overdue": "Không có nhiệm vụ quá hạn.",
    "tasks_item": "{unit}: {content} ({code}{instance}, {document}hạn {deadline}) — quá hạn {days} ngày{star}",
    "tasks_star": ", nhiệm vụ trọng tâm",
    "tasks_document": "theo {number}, ",
    # ---- focus
    "focus_intro": "Để tiếp tục cải thiện chất lượng phục vụ, {province} tập trung vào các nhiệm vụ trọng tâm:",
    "focus_complete": "Đẩy mạnh {group} (đang đạt {share}), phấn đấu đạt điểm tối đa (còn {lost} điểm).",
    "focus_improve": "Nâng cao {group} (đang đạt {share}): {action}; nếu đạt {target}, tỉnh tăng khoảng {gain} điểm.",
    "focus_support": "Hỗ trợ nhóm {n} xã, phường cuối bảng (bình quân {bottom} điểm){causes}, phấn đấu nâng điểm "
                     "nhóm này lên từ {target} điểm trở lên.",
    "focus_support_causes": " trước hết về {groups}, nơi nhóm mất nhiều điểm nhất",
    "focus_sync": "Rà soát, bảo đảm đồng bộ đầy đủ trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia tại: {names}.",
    "focus_dm": "Đôn đốc các chỉ tiêu chậm tiến độ: {names}.",
    "focus_tasks": "Đôn đốc xử lý dứt điểm {n} nhiệm vụ UBND tỉnh, Chủ tịch UBND tỉnh giao đã quá hạn{over}, trước "
                   "hết tại {names}.",
    "focus_tasks_120": " (trong đó {n} nhiệm vụ quá hạn trên 120 ngày)",
    "focus_tasks_unit": "{name} ({n} nhiệm vụ)",
    "no_data": "Chưa có số liệu.",
}

ACTIONS = {
    "TRANSPARENCY": "công bố, công khai thủ tục đúng hạn và đồng bộ đầy đủ trạng thái hồ sơ lên Cổng Dịch vụ "
                    "công quốc gia",
    "PROGRESS": "giải quyết hồ sơ đúng hạn, hạn chế yêu cầu bổ sung hồ sơ nhiều lần",
    "ONLINE_SERVICE": "rà soát, mở rộng các thủ tục đủ điều kiện cung cấp dịch vụ công trực tuyến toàn trình, tăng "
                      "cường hướng dẫn người dân, doanh nghiệp sử dụng",
    "PAYMENT": "tích hợp thanh toán trực tuyến cho mọi thủ tục có phí, lệ phí, xử lý các trường hợp đặc thù còn "
               "tồn tại",
    "DIGITIZATION": "số hóa thành phần hồ sơ và kết quả giải quyết, tái sử dụng dữ liệu đã số hóa",
    "SATISFACTION": "xử lý phản ánh, kiến nghị đúng hạn, nâng cao mức độ hài lòng khi tiếp nhận hồ sơ",
}
ACTION_OTHER = "rà soát nguyên nhân mất điểm và giao nhiệm vụ cụ thể cho từng đơn vị"

LABELS = {
    "rank": "Hạng", "code": "Mã", "unit": "Đơn vị", "total": "Tổng điểm", "change": "Thay đổi",
    "previous_rank": "Hạng kỳ trước", "rank_change": "Thay đổi hạng", "band": "Nhóm", "group": "Chỉ số thành phần",
    "points": "Điểm", "max": "Tối đa", "share": "Tỷ lệ đạt", "criterion": "Tiêu chí", "numerator": "Tử số",
    "denominator": "Mẫu số", "ratio": "Tỷ lệ", "criterion_name": "Tên tiêu chí", "lost": "Điểm bị mất",
    "level": "Cấp", "window": "Kỳ",
    "province": "Tỉnh, thành phố", "previous_total": "Điểm kỳ trước",
    "sheet_provinces": "Tỉnh, thành phố", "sheet_departments": "Sở, ban, ngành", "sheet_communes": "Xã, phường",
    "sheet_criteria": "Tiêu chí", "sheet_counts": "Số liệu",
    "table_groups": "Điểm các chỉ số thành phần", "table_provinces": "Các địa phương dẫn đầu",
    "table_departments": "Xếp hạng sở, ban, ngành", "table_communes": "Xã, phường dẫn đầu và cuối bảng",
    "chart_trend": "Tổng điểm của {province} qua các {recent}", "chart_groups": "Chỉ số thành phần so với điểm tối đa",
    "chart_departments": "Xếp hạng sở, ban, ngành", "axis_weeks": "Tuần", "chart_communes": "{n} xã, phường dẫn đầu",
    "axis_points": "Điểm", "legend_points": "Điểm đạt", "legend_max": "Tối đa",
    "levels": {"province": "tỉnh", "department": "sở, ban, ngành", "commune": "xã, phường"},
    "ellipsis": "…", "against": "so với",
}
