"""English message catalogue of the bulletin. Same keys as ``messages_vi``; numbers come
already written the English way (92.28; 70.7%). Proper names keep their diacritics."""
from __future__ import annotations

AND = "and"
PREVIOUS = {"week": "the week before", "month": "the month before", "quarter": "the quarter before",
            "year": "the year before"}
PREVIOUS_OTHER = "the period before"
PREVIOUS_RANK = {"week": "Rank the week before", "month": "Rank the month before",
                 "quarter": "Rank the quarter before", "year": "Rank the year before"}
PER = {"week": "a week", "month": "a month", "quarter": "a quarter", "year": "a year"}
RECENT = {"week": "weeks", "month": "months", "quarter": "quarters", "year": "years"}
LEVEL_PLURAL = {"department": "departments", "commune": "communes and wards"}

M = {
    "title_takes_lead": "{province} takes the national lead in the direction & management and service-quality index",
    "title_keeps_lead": "{province} keeps the national lead in the direction & management and service-quality index",
    "title_leads": "{province} leads the country in the direction & management and service-quality index",
    "title_rises": "{province} climbs {moved} places to {rank} of {peers} nationally in the direction & management and service-quality index",
    "title_falls": "{province} slips {moved} places to {rank} of {peers} nationally in the direction & management and service-quality index",
    "title_holds": "{province} holds {rank} of {peers} nationally in the direction & management and service-quality index",
    "title_ranked": "{province} ranks {rank} of {peers} nationally in the direction & management and service-quality index",
    "heading_takes_lead": "Takes the national lead",
    "heading_keeps_lead": "Steady, and keeps the national lead",
    "heading_leads": "Leads the country",
    "heading_rises": "Climbs {moved} places to {rank} of {peers} nationally",
    "heading_falls": "Slips {moved} places to {rank} of {peers} nationally",
    "heading_holds": "Holds {rank} of {peers} nationally",
    "heading_ranked": "Ranks {rank} of {peers} nationally",
    "subtitle": "Bulletin, {period} — {index}",
    "doc_type": "REPORT",
    "abstract": "The direction & management and service-quality index: results of {period}",
    "issued": "Generated {at} from {source}",
    "data_until": ", data up to {day}",
    "source_records": "the province's dossier records",
    "source_counts": "National Public Service Portal figures",
    "h_groups_up": "The component indices keep improving",
    "h_groups": "The component indices",
    "h_departments": "{leader} leads the departments",
    "h_departments_plain": "Departments",
    "h_communes": "Communes and wards",
    "h_dm": "Direction indicators and warnings",
    "h_focus": "Focus for the coming weeks",
    "h_tables": "Tables",
    # ---- the method: a change inside the period; criteria not yet determined
    "undetermined": "The total is out of the {max} points of the criteria whose rule is settled; not yet "
                    "determined: {names} (not counted in the total)",
    "total": "In {period}, {province} scored {total} points, ranking {rank} of {peers} nationally",
    "total_change_up": ", up {change} points on {previous}",
    "total_change_down": ", down {change} points on {previous}",
    "total_change_none": ", unchanged on {previous}",
    "total_rank_was": " (ranked {rank} {previous})",
    "total_steady": ", keeping up a steady rise (between {low} and {high} points {per} over the last {n} {recent})",
    "lead_over": "{province} is now about {gap} points ahead of {neighbours} ({both}{score} points)",
    "lead_both": "both at ",
    "only_above": ", the only locality in the country above {threshold} points.",
    "many_above": "; {n} localities are above {threshold} points.",
    "behind": "{province} is {gap} points behind {neighbours} ({score} points).",
    "cmp_last_year_up": "Against the same week last year ({period}: {value} points{rank}), the total is up "
                        "{difference} points.",
    "cmp_last_year_down": "Against the same week last year ({period}: {value} points{rank}), the total is down "
                          "{difference} points.",
    "cmp_last_year_same": "The total equals the same week last year ({period}: {value} points{rank}).",
    "cmp_last_year_rank": ", ranked {rank}",
    "cmp_last_year_none": "There are no figures for the same week last year ({period}{since}) to compare with.",
    "cmp_since": "; the data begin on {day}",
    "cmp_peers_population": "Among the {n} provinces nearest in population ({names}; average {value} points), the "
                            "province ranks {rank} of {of}.",
    "cmp_peers_setting": "Among the peer provinces the province chose ({names}; average {value} points), it ranks "
                         "{rank} of {of}.",
    "cmp_national_above": "The national average (the mean total of the {n} provinces) is {value} points; the "
                          "province is {difference} points above it.",
    "cmp_national_below": "The national average (the mean total of the {n} provinces) is {value} points; the "
                          "province is {difference} points below it.",
    "cmp_national_same": "The province's total equals the national average (the mean total of the {n} provinces: "
                         "{value} points).",
    "groups_up": "Against {previous}, {k} of {province}'s {n} component indices rose: {items}.",
    "group_up": "{group} up {change} points to {points}/{max} ({share})",
    "groups_down": "{k} of {n} fell: {items}.",
    "group_down": "{group} down {change} points to {points}/{max} ({share})",
    "groups_steady_one": "{names} held steady at {shares}.",
    "groups_steady_many": "{names} held steady, at {shares} respectively.",
    "groups_plain": "The component indices: {items}.",
    "group_plain": "{group} {points}/{max} ({share})",
    "lever": "{group} ({points}/{max} points, {share}) has the biggest improvement potential: at {target}, the "
             "province's total would gain about {gain} points, to {after} points.",
    "dept_takes_lead": "In this {period_short}'s ranking, {leader} rose to first place with {total} points, ahead of "
                       "{others}.",
    "dept_keeps_lead": "In this {period_short}'s ranking, {leader} stays first with {total} points, followed by "
                       "{others}.",
    "dept_lead": "In this {period_short}'s ranking, {leader} is first with {total} points, followed by {others}.",
    "commune_takes_lead": "Among communes, {leader} rose to first place with {total} points, ahead of {others}.",
    "commune_keeps_lead": "Among communes, {leader} still leads with {total} points, followed by {others}.",
    "commune_lead": "Among communes, {leader} leads with {total} points, followed by {others}.",
    "unit_score": "{name} ({total} points)",
    "band": "{band} ({range}): {n} units — {names}.",
    "band_empty": "{band} ({range}): none.",
    "range_above_strict": "above {lower} points",
    "range_above": "{lower} points or more",
    "range_between": "{lower}–{upper} points",
    "range_between_strict": "above {lower} up to {upper} points",
    "range_below": "below {upper} points",
    "mover": "{name} rose {change} points, from {previous} to {rank} in the province — the biggest move this "
             "{period_short}.",
    "spread": "The leading {n} {level} are within {spread} points of each other.",
    "gap": "The bottom {n} (average {bottom} points) are about {gap} points below the top {n} (average {top} "
           "points)",
    "gap_causes": "; they lose most on {causes}.",
    "weakest": "Last is {name} ({total} points), losing most on {causes}.",
    "cause": "{group} ({share}, {lost} points lost{detail})",
    "cause_detail": "; lowest: {criteria}",
    "cause_criterion": "{name} at {ratio}",
    "sync_records_one": "Fewer than 90% of dossiers reached the National Public Service Portal at {units}.",
    "sync_records": "Fewer than 90% of dossiers reached the National Public Service Portal at {n} units: {units}.",
    "sync_unit": "{name} ({ratio}, {synced} of {received} dossiers)",
    "more_units": "{n} other units",
    "more_indicators": "{n} other indicators",
    "more_periods": "{n} other periods",
    "sync_connector": "{name}: data source overdue ({detail}).",
    "period_short_week": "week",
    "period_short_other": "period",
    "dm_summary": "Of {n} direction indicators tracked, {off} are off track or at risk; {w} warnings are open.",
    "dm_none": "No indicator is off track and no warning is open.",
    "dm_field_off": "{field} has {items}.",
    "dm_status": "{n} indicator{s} {status}: {items}",
    "dm_indicator": "{name} ({value} against a target of {target})",
    "dm_warnings": "{field} has {k} open warning{s}",
    "dm_critical": " ({n} of them critical)",
    "dm_critical_one": " (critical)",
    "dm_kinds": ": {items}",
    "dm_kind": "{n} {kind}",
    "dm_kind_one": " of {kind}",
    "dm_on": ", on {items}",
    "dm_at": "; units: {items}",
    "dm_periods": "; periods: {items}",
    "h_tasks": "Tasks assigned by the Provincial People's Committee and its Chairman",
    "tasks_states": "As of {day}, {total} tasks were followed this year: {on_time} done on time, {late} done late, "
                    "{in_time} open within their deadline and {overdue} open and overdue",
    "tasks_over120": " ({n} of them more than 120 days overdue)",
    "tasks_overdue_up": "; {n} more overdue than a week before",
    "tasks_overdue_down": "; {n} fewer overdue than a week before",
    "tasks_overdue_same": "; as many overdue as a week before",
    "tasks_rate": "The on-time rate is {rate}",
    "tasks_rate_none": "No task has fallen due yet",
    "tasks_rate_up": ", up {change} percentage points on the week before",
    "tasks_rate_down": ", down {change} percentage points on the week before",
    "tasks_rate_same": ", unchanged on the week before",
    "tasks_updates": "; {updated} of {open} open tasks had a progress update in the last {days} days ({rate}).",
    "tasks_no_open": "; no task is open.",
    "tasks_longest": "The longest overdue:",
    "tasks_none_overdue": "No task is overdue.",
    "tasks_item": "{unit}: {content} ({code}{instance}, {document}due {deadline}) — {days} days overdue{star}",
    "tasks_star": ", a priority task",
    "tasks_document": "under {number}, ",
    "focus_intro": "To keep improving service quality, {province} focuses on:",
    "focus_complete": "Push {group} (now {share}) to its maximum ({lost} points to go).",
    "focus_improve": "Raise {group} (now {share}): {action}; at {target} the province gains about {gain} points.",
    "focus_support": "Support the bottom {n} communes and wards (average {bottom} points){causes}, aiming to lift "
                     "the group to {target} points or more.",
    "focus_support_causes": ", first on {groups}, where they lose most",
    "focus_sync": "Make sure every dossier's status reaches the National Public Service Portal at: {names}.",
    "focus_dm": "Follow up the indicators off track: {names}.",
    "focus_tasks": "Settle the {n} overdue tasks assigned by the Provincial People's Committee{over}, first at "
                   "{names}.",
    "focus_tasks_120": " ({n} of them more than 120 days overdue)",
    "focus_tasks_unit": "{name} ({n} tasks)",
    "no_data": "No data yet.",
}

ACTIONS = {
    "TRANSPARENCY": "publish procedures on time and sync every dossier's status to the National Public Service "
                    "Portal",
    "PROGRESS": "settle dossiers on time and avoid repeated requests for supplements",
    "ONLINE_SERVICE": "review and extend the procedures eligible for full online service, and guide citizens and "
                      "businesses in using them",
    "PAYMENT": "integrate online payment for every procedure with fees and settle the remaining special cases",
    "DIGITIZATION": "digitise dossier components and results, and reuse digitised data",
    "SATISFACTION": "handle petitions on time and raise satisfaction at dossier reception",
}
ACTION_OTHER = "find where points are lost and assign each unit its task"

LABELS = {
    "rank": "Rank", "code": "Code", "unit": "Unit", "total": "Total", "change": "Change",
    "previous_rank": "Previous rank", "rank_change": "Rank change", "band": "Band", "group": "Component index",
    "points": "Points", "max": "Maximum", "share": "Share", "criterion": "Criterion", "numerator": "Numerator",
    "denominator": "Denominator", "ratio": "Ratio", "criterion_name": "Criterion name", "lost": "Points lost",
    "level": "Level", "window": "Period",
    "province": "Province", "previous_total": "Previous total",
    "sheet_provinces": "Provinces", "sheet_departments": "Departments", "sheet_communes": "Communes",
    "sheet_criteria": "Criteria", "sheet_counts": "Counts",
    "table_groups": "Component indices", "table_provinces": "Leading localities",
    "table_departments": "Departments ranked", "table_communes": "Leading and last communes",
    "chart_trend": "{province}'s total over the {recent}", "chart_groups": "Component indices against their maxima",
    "chart_departments": "Departments ranked", "axis_weeks": "Week", "chart_communes": "Leading {n} communes and wards",
    "axis_points": "Points", "legend_points": "Points", "legend_max": "Maximum",
    "levels": {"province": "province", "department": "departments", "commune": "communes and wards"},
    "ellipsis": "…", "against": "against",
}
