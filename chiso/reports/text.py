"""The bulletin's words, written from its facts in Vietnamese or English.

Every number in a sentence is a field of the ``Bulletin`` written by the language's number
format (``numformat``); phrases come from the message catalogues (``messages_vi``,
``messages_en``). The result is plain data — a title and sections of paragraphs and
bullet items — that every format (HTML, PDF, DOCX) lays out the same way.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import ModuleType

from chiso import settings
from chiso.errors import WindowError
from chiso.evaluate.dm.warnings import RULE_NAMES
from chiso.periods import spoken
from chiso.periods.windows import parse_window
from chiso.reports import messages_en, messages_vi
from chiso.reports.dm import STATUS_LABELS, FieldFacts
from chiso.reports.facts import BandFact, Bulletin, LossFact, PeerFacts, UnitLosses
from chiso.reports.numformat import FORMATS, NumberFormat

CATALOGUES: dict[str, ModuleType] = {"vi": messages_vi, "en": messages_en}
LANGS = tuple(CATALOGUES)
#: Names listed in a warnings summary (indicators, units, periods); the others are counted.
WARNINGS_SHOWN = 3
#: Groups named as where a unit lost its points (largest losses first).
CAUSES_SHOWN = 2


@dataclass
class Section:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class BulletinText:
    lang: str
    title: str
    subtitle: str
    sections: list[Section]
    labels: dict
    doc_type: str = ""  # BÁO CÁO: the administrative document's type
    abstract: str = ""  # its trích yếu: what it reports, for which week

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def plain(self) -> str:
        """The whole text, one paragraph per line (what tests and search read)."""
        lines = [self.title, self.subtitle]
        for s in self.sections:
            lines.append(s.heading)
            lines.extend(s.paragraphs)
            lines.extend(f"- {i}" for i in s.items)
        return "\n".join(lines)


def catalogue(lang: str) -> ModuleType:
    try:
        return CATALOGUES[lang]
    except KeyError:
        raise ValueError(f"language {lang!r}: choose one of {', '.join(LANGS)}") from None


def ordinal(n: int, lang: str) -> str:
    """23 → "23" (vi: "thứ 23" is in the sentence), "23rd" (en)."""
    if lang == "vi":
        return str(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class _Writer:
    def __init__(self, b: Bulletin, lang: str):
        self.b, self.lang = b, lang
        self.C = catalogue(lang)
        self.M: dict[str, str] = self.C.M
        self.f: NumberFormat = FORMATS[lang]
        kind = b.window_kind or ""
        self.previous = self.C.PREVIOUS.get(kind, self.C.PREVIOUS_OTHER)
        self.period_short = self.M["period_short_week"] if kind == "week" else self.M["period_short_other"]

    def t(self, key: str, **kw) -> str:
        return self.M[key].format(**kw)

    def join(self, items: list[str]) -> str:
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self.C.AND} " + items[-1]

    def name(self, u) -> str:
        return u.name if self.lang == "vi" else u.name_en

    def gname(self, g) -> str:
        return g.name if self.lang == "vi" else g.name_en

    def band_label(self, band: BandFact) -> str:
        return band.label if self.lang == "vi" else band.label_en

    def range_text(self, band: BandFact) -> str:
        f = self.f
        if band.lower is None:
            return self.t("range_below", upper=f.bound(band.upper)) if band.upper is not None else ""
        if band.upper is None:
            return self.t("range_above_strict" if band.lower_strict else "range_above", lower=f.bound(band.lower))
        return self.t("range_between_strict" if band.lower_strict else "range_between", lower=f.bound(band.lower),
                      upper=f.bound(band.upper))

    # ------------------------------------------------------------ title
    def _standing(self, kind: str) -> str:
        """The title (``kind="title"``) or the first heading (``"heading"``) of the province's
        standing: both from the one decision ``ProvinceFacts.standing``."""
        p = self.b.province
        u = p.unit
        moved = abs((u.previous_rank or 0) - (u.rank or 0))
        return self.t(f"{kind}_{p.standing}", province=p.short_name, rank=ordinal(u.rank, self.lang), peers=u.peers,
                      moved=moved, previous=self.previous)

    def title(self) -> str:
        return self._standing("title")

    # ------------------------------------------------------------ sections
    def total(self) -> Section:
        b, f = self.b, self.f
        p = b.province
        u = p.unit
        head = self._standing("heading")
        period = f.period(b.window)
        if self.M["total"].startswith("{period}"):  # the sentence starts with it: a capital
            period = _cap(period)
        text = self.t("total", period=period, province=p.short_name, total=f.points(u.total),
                      rank=ordinal(u.rank, self.lang), peers=u.peers)
        if u.score_change is not None:
            key = "total_change_up" if u.score_change > 0 else "total_change_down" if u.score_change < 0 \
                else "total_change_none"
            text += self.t(key, change=f.points(abs(u.score_change)), previous=self.previous)
        if u.previous_rank is not None and u.previous_rank != u.rank:
            text += self.t("total_rank_was", rank=ordinal(u.previous_rank, self.lang), previous=self.previous)
        changes = p.weekly_changes
        if len(changes) >= 3 and all(c > 0 for c in changes):
            kind = b.window_kind or ""
            text += self.t("total_steady", low=f.points(min(changes)), high=f.points(max(changes)),
                           per=self.C.PER.get(kind, ""), n=len(changes), recent=self.C.RECENT.get(kind, ""))
        paragraphs = [text + "."]
        paragraphs.extend(self.method())
        if p.neighbours and p.gap is not None:
            ns = [n.name if self.lang == "vi" else n.name_en for n in p.neighbours]
            both = self.M["lead_both"] if len(ns) > 1 else ""
            if p.leading:
                s = self.t("lead_over", province=p.short_name, neighbours=self.join(ns), both=both,
                           score=f.points(p.neighbours[0].total), gap=f.points(p.gap))
                if p.above_threshold == 1:
                    s += self.t("only_above", threshold=p.threshold)
                else:
                    s += self.t("many_above", n=p.above_threshold, threshold=p.threshold)
            else:
                s = self.t("behind", province=p.short_name, neighbours=self.join(ns),
                           score=f.points(p.neighbours[0].total), gap=f.points(p.gap))
            paragraphs.append(s)
        compared = self.comparisons()
        if compared:
            paragraphs.append(compared)
        return Section("total", head, paragraphs)

    def method(self) -> list[str]:
        """What the scores' method says about the period: a change of method inside it, and the
        criteria not yet determined (the total then over the determined part's maximum)."""
        b, out = self.b, []
        if b.method is not None and b.method.get("message"):
            out.append(b.method["message"] if self.lang == "vi" else b.method["message_en"])
        if b.undetermined:
            names = [vi if self.lang == "vi" else en for vi, en in b.undetermined]
            out.append(self.t("undetermined", max=self.f.bound(b.max_total), names=self.join(names)) + ".")
        return out

    def comparisons(self) -> str:
        """The same week last year, the national average and the peer provinces, a sentence each
        (``chiso.evaluate.comparisons``; last week is in the first paragraph)."""
        c, f = self.b.comparisons, self.f
        if c is None:
            return ""
        out = []
        last = c.last_year
        period = f.period(last.window, year=True, dates=False) if last.window else ""
        if last.total is None:
            since = self.t("cmp_since", day=spoken.day_text(last.since, self.lang)) \
                if last.reason == "no_history" and last.since else ""
            out.append(self.t("cmp_last_year_none", period=period, since=since))
        else:
            d = last.difference
            key = "cmp_last_year_up" if d > 0 else "cmp_last_year_down" if d < 0 else "cmp_last_year_same"
            rank = self.t("cmp_last_year_rank", rank=ordinal(last.rank, self.lang)) if last.rank else ""
            out.append(self.t(key, period=period, value=f.points(last.total), rank=rank, difference=f.points(abs(d))))
        nat = c.national
        if nat.total is not None:
            d = nat.difference
            key = "cmp_national_above" if d > 0 else "cmp_national_below" if d < 0 else "cmp_national_same"
            out.append(self.t(key, value=f.points(nat.total), n=len(nat.members), difference=f.points(abs(d))))
        peers = c.peers
        if peers.total is not None and peers.members:
            known = {u.code: u for u in self.b.province.ranking}
            names = [self.name(known[m.code]) if m.code in known else m.name for m in peers.members]
            key = "cmp_peers_setting" if peers.basis == "setting" else "cmp_peers_population"
            out.append(self.t(key, n=len(peers.members), names=self.join(names), value=f.points(peers.total),
                              rank=ordinal(peers.rank, self.lang), of=peers.of))
        return " ".join(out)

    def groups(self) -> Section:
        b, f = self.b, self.f
        p = b.province
        has_previous = any(g.change is not None for g in p.groups)
        up, down, steady = p.groups_up, p.groups_down, p.groups_steady
        head = self.t("h_groups_up" if has_previous and len(up) > len(down) else "h_groups")
        out = []
        n = len(p.groups)
        if has_previous:
            if up:
                out.append(self.t("groups_up", previous=self.previous, k=len(up), n=n, province=p.short_name,
                                  items="; ".join(self.t("group_up", group=self.gname(g), change=f.points(g.change),
                                                         points=f.points(g.points), max=f.bound(g.max),
                                                         share=f.pct(g.share)) for g in up)))
            if down:
                out.append(self.t("groups_down", k=len(down), n=n,
                                  items="; ".join(self.t("group_down", group=self.gname(g),
                                                         change=f.points(abs(g.change)), points=f.points(g.points),
                                                         max=f.bound(g.max), share=f.pct(g.share)) for g in down)))
            if steady:
                key = "groups_steady_one" if len(steady) == 1 else "groups_steady_many"
                out.append(self.t(key, names=self.join([self.gname(g) for g in steady]),
                                  shares=self.join([f.pct(g.share) for g in steady])))
        else:
            out.append(self.t("groups_plain", items="; ".join(
                self.t("group_plain", group=self.gname(g), points=f.points(g.points), max=f.bound(g.max),
                       share=f.pct(g.share)) for g in p.groups)))
        lv = b.top_lever
        if lv is not None:
            out.append(self.t("lever", group=self.gname(lv), points=f.points(lv.points), max=f.bound(lv.max),
                              share=f.pct(lv.share), target=f.pct(lv.target_share, 0), gain=f.number(lv.gain, 1),
                              after=f.points(lv.total_after)))
        return Section("groups", head, out)

    def _leaders(self, peers: PeerFacts, prefix: str) -> str:
        f = self.f
        lead = peers.ranking[0]
        others = self.join([self.t("unit_score", name=self.name(u), total=f.points(u.total))
                            for u in peers.leaders[1:]])
        if lead.previous_rank is None:
            key = f"{prefix}_lead"
        elif lead.previous_rank != 1:
            key = f"{prefix}_takes_lead"
        else:
            key = f"{prefix}_keeps_lead"
        return self.t(key, leader=self.name(lead), total=f.points(lead.total), others=others,
                      period_short=self.period_short)

    def _bands(self, peers: PeerFacts) -> list[str]:
        out = []
        for band in peers.bands:
            if band.units:
                out.append(self.t("band", band=self.band_label(band), range=self.range_text(band), n=len(band.units),
                                  names=self.join([self.name(u) for u in band.units])))
            else:
                out.append(self.t("band_empty", band=self.band_label(band), range=self.range_text(band)))
        return out

    def _sync(self, level: str) -> list[str]:
        """Units whose dossiers do not all reach the national portal: a fact about data, said
        as one; a cause of lost points only where the losses say so (``_causes``)."""
        f = self.f
        out, records = [], []
        for s in self.b.sync_problems:
            if s.level != level:
                continue
            name = s.name if self.lang == "vi" else s.name_en
            if s.source == "records" and s.ratio is not None:
                records.append(self.t("sync_unit", name=name, ratio=f.pct(s.ratio), synced=f.count(s.synced),
                                      received=f.count(s.received)))
            else:
                out.append(self.t("sync_connector", name=name, detail=s.detail))
        if records:
            shown = records[:WARNINGS_SHOWN]
            more = self.t("more_units", n=len(records) - len(shown)) if len(records) > len(shown) else ""
            key = "sync_records_one" if len(records) == 1 else "sync_records"
            out.insert(0, self.t(key, n=len(records), units=self.join(shown + ([more] if more else []))))
        return out

    def loss_text(self, x: LossFact) -> str:
        f = self.f
        name = self.gname(x)
        detail = ""
        if x.detail:
            parts = [self.t("cause_criterion", name=c.name if self.lang == "vi" else c.name_en,
                            ratio=f.pct(c.ratio)) for c in x.detail if c.ratio is not None]
            detail = self.t("cause_detail", criteria=self.join(parts)) if parts else ""
        return self.t("cause", group=name, share=f.pct(x.share), lost=f.points(x.lost), detail=detail)

    def _causes(self, losses: tuple[LossFact, ...]) -> str:
        return self.join([self.loss_text(x) for x in losses[:CAUSES_SHOWN]])

    def _weakest(self, w: UnitLosses | None) -> str:
        if w is None or not w.losses:
            return ""
        return self.t("weakest", name=self.name(w.unit), total=self.f.points(w.unit.total),
                      causes=self._causes(w.losses))

    def departments(self) -> Section | None:
        peers = self.b.departments
        if peers is None:
            return None
        lead = peers.ranking[0]
        head = self.t("h_departments", leader=self.name(lead)) if lead.rank == 1 else self.t("h_departments_plain")
        text = [self._leaders(peers, "dept")] if len(peers.ranking) > 1 else []
        weakest = self._weakest(peers.weakest)
        return Section("departments", head, [" ".join(text + self._bands(peers) + ([weakest] if weakest else [])
                                                       + self._sync("department"))])

    def communes(self) -> Section | None:
        peers, f = self.b.communes, self.f
        if peers is None:
            return None
        parts = [self._leaders(peers, "commune")] if len(peers.ranking) > 1 else []
        m = peers.biggest_mover
        if m is not None:
            parts.append(self.t("mover", name=self.name(m), change=f.points(m.score_change or 0.0),
                                previous=ordinal(m.previous_rank, self.lang), rank=ordinal(m.rank, self.lang),
                                period_short=self.period_short))
        paragraphs = [" ".join(parts)] if parts else []
        second = []
        n = min(peers.group_size, len(peers.ranking))
        if peers.top_spread is not None:
            second.append(self.t("spread", n=n, level=self.C.LEVEL_PLURAL["commune"],
                                 spread=f.points(peers.top_spread)))
        if peers.gap is not None:
            causes = self._causes(peers.bottom_losses)
            second.append(self.t("gap", n=peers.group_size, bottom=f.points(peers.bottom_mean),
                                 top=f.points(peers.top_mean), gap=f.points(peers.gap))
                          + (self.t("gap_causes", causes=causes) if causes else "."))
        weakest = self._weakest(peers.weakest)
        if weakest:
            second.append(weakest)
        second += self._sync("commune")
        if second:
            paragraphs.append(" ".join(second))
        return Section("communes", self.t("h_communes"), paragraphs)

    def dm(self) -> Section | None:
        dm = self.b.dm
        if dm is None:
            return None
        out = [self.t("dm_summary", n=dm.indicators, off=dm.off_track, w=dm.warnings)]
        if not dm.fields:
            out.append(self.t("dm_none"))
        for fl in dm.fields:
            field_name = fl.name if self.lang == "vi" else fl.name_en
            if fl.off_track:
                out.append(self._off_track(fl, field_name))
            if fl.warnings:
                out.append(self._warnings(fl, field_name))
        return Section("dm", self.t("h_dm"), out)

    def _amount(self, x: float, unit: str) -> str:
        text = _minus_trim(self.f, x)
        if not unit:
            return text
        return text + unit if unit == "%" else f"{text} {unit}"

    def _off_track(self, fl: FieldFacts, field_name: str) -> str:
        """Indicators off track, by status: the status said once for its indicators (a name
        that itself says "chậm tiến độ" is never followed by the same words)."""
        i = 0 if self.lang == "vi" else 1
        parts = []
        for status in ("off_track", "at_risk"):
            items = []
            for s in fl.off_track:
                if s.status != status:
                    continue
                name = s.name if self.lang == "vi" else (s.name_en or s.name)
                if s.value is not None and s.target is not None:
                    items.append(self.t("dm_indicator", name=name, value=self._amount(s.value, s.unit),
                                        target=self._amount(s.target, s.unit)))
                else:
                    items.append(name)
            if items:
                parts.append(self.t("dm_status", n=len(items), s="" if len(items) == 1 else "s",
                                    status=STATUS_LABELS[status][i], items=", ".join(items)))
        return self.t("dm_field_off", field=field_name, items="; ".join(parts))

    def _warnings(self, fl: FieldFacts, field_name: str) -> str:
        """A field's open warnings in a sentence: how many, of which kinds, on which indicators
        and units, for which periods — no severity tags, no raw codes, no statistics."""
        ws = fl.warnings
        f = self.f
        i = 0 if self.lang == "vi" else 1
        kinds: dict[str, int] = {}
        for w in ws:
            kinds[w.rule] = kinds.get(w.rule, 0) + 1
        kind_parts = []
        for rule, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
            if rule in RULE_NAMES:
                kind_parts.append(self.t("dm_kind", n=n, kind=_lower(RULE_NAMES[rule][i])))
        critical = sum(1 for w in ws if w.severity == "critical")
        text = self.t("dm_warnings", field=field_name, k=len(ws), s="" if len(ws) == 1 else "s")
        if len(kinds) == 1 and ws[0].rule in RULE_NAMES:  # one kind: said once
            text += self.t("dm_kind_one", kind=_lower(RULE_NAMES[ws[0].rule][i]))
        elif kind_parts:
            text += self.t("dm_kinds", items=self.join(kind_parts))
        if critical:
            text += self.t("dm_critical_one" if len(ws) == 1 else "dm_critical", n=critical)
        indicators = _unique(w.indicator_name or w.indicator for w in ws) if self.lang == "vi" else \
            _unique(w.indicator_name_en or w.indicator_name or w.indicator for w in ws)
        units = _unique(w.unit_name if self.lang == "vi" else (w.unit_name_en or w.unit_name)
                        for w in ws if w.unit_name)
        periods = sorted({w.period for w in ws if w.period}, key=_period_order, reverse=True)
        text += self.t("dm_on", items=self._listed(indicators, "more_indicators"))
        if units:
            text += self.t("dm_at", items=self._listed(units, "more_units"))
        if periods:
            text += self.t("dm_periods", items=self._listed([f.period(x, year=True) for x in periods],
                                                             "more_periods"))
        return text + "."

    def _listed(self, names: list[str], more_key: str) -> str:
        shown = names[:WARNINGS_SHOWN]
        if len(names) > len(shown):
            shown.append(self.t(more_key, n=len(names) - len(shown)))
        return self.join(shown)

    def tasks(self) -> Section | None:
        """The assigned tasks: the four states, the rates with their change, the longest overdue."""
        t, f = self.b.tasks, self.f
        if t is None:
            return None
        now = t.now
        day = dt.date.fromisoformat(now.day)
        text = self.t("tasks_states", day=f.period(day.isoformat()).removeprefix("ngày "), total=f.count(now.total),
                      on_time=f.count(now.done_on_time), late=f.count(now.done_late),
                      in_time=f.count(now.open_in_time), overdue=f.count(now.open_overdue))
        if now.overdue_120:
            text += self.t("tasks_over120", n=f.count(now.overdue_120))
        change = t.overdue_change
        if change is not None:
            key = "tasks_overdue_up" if change > 0 else "tasks_overdue_down" if change < 0 else "tasks_overdue_same"
            text += self.t(key, n=f.count(abs(change)))
        rate = now.on_time_rate
        second = self.t("tasks_rate", rate=f.pct(rate / 100)) if rate is not None else self.t("tasks_rate_none")
        if rate is not None and t.rate_change is not None:
            delta = round(t.rate_change, 1)
            key = "tasks_rate_up" if delta > 0 else "tasks_rate_down" if delta < 0 else "tasks_rate_same"
            second += self.t(key, change=f.number(abs(delta), 1))
        if now.open:
            second += self.t("tasks_updates", updated=f.count(now.updated), open=f.count(now.open), days=t.update_days,
                             rate=f.pct(now.update_rate / 100))
        else:
            second += self.t("tasks_no_open")
        items = []
        for x in t.longest:
            items.append(self.t(
                "tasks_item", unit=x.unit_name if self.lang == "vi" else x.unit_name_en, content=x.content,
                code=x.code, instance=f" · {x.instance}" if x.instance else "",
                document=self.t("tasks_document", number=x.document) if x.document else "",
                deadline=f.period(x.deadline).removeprefix("ngày "), days=f.count(x.days),
                star=self.M["tasks_star"] if x.starred else ""))
        third = self.t("tasks_longest") if items else self.t("tasks_none_overdue")
        return Section("tasks", self.t("h_tasks"), [text + ".", second, third], items)

    def focus(self) -> Section:
        b, f = self.b, self.f
        items = []
        for x in b.focus:
            name = x.name if self.lang == "vi" else x.name_en
            if x.kind == "complete":
                items.append(self.t("focus_complete", group=name, share=f.pct(x.share), lost=f.points(x.lost)))
            elif x.kind == "improve":
                action = self.C.ACTIONS.get(x.code, self.C.ACTION_OTHER)
                items.append(self.t("focus_improve", group=name, share=f.pct(x.share), action=action,
                                    target=f.pct(x.target, 0), gain=f.number(x.gain, 1)))
            elif x.kind == "support":
                causes = [self.gname(g) for g in b.communes.bottom_losses[:CAUSES_SHOWN]]
                items.append(self.t("focus_support", n=len(x.units), bottom=f.points(b.communes.bottom_mean),
                                    target=f.bound(x.target),
                                    causes=self.t("focus_support_causes", groups=self.join(causes)) if causes else ""))
            elif x.kind == "sync":
                items.append(self.t("focus_sync", names=self.join(list(x.units if self.lang == "vi" else x.units_en))))
            elif x.kind == "dm":
                items.append(self.t("focus_dm", names=self.join(list(x.units if self.lang == "vi" else x.units_en))))
        t = b.tasks
        if t is not None and t.now.open_overdue:
            over = self.t("focus_tasks_120", n=f.count(t.now.overdue_120)) if t.now.overdue_120 else ""
            names = self.join([self.t("focus_tasks_unit", name=u.name if self.lang == "vi" else u.name_en,
                                      n=f.count(u.overdue)) for u in t.most_overdue])
            items.append(self.t("focus_tasks", n=f.count(t.now.open_overdue), over=over, names=names))
        return Section("focus", self.t("h_focus"), [self.t("focus_intro", province=b.province.short_name)], items)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _unique(values) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def _period_order(label: str):
    """Latest first: by the period's last day, then its first (a week before its month)."""
    try:
        w = parse_window(label)
        return (w.end, w.start)
    except WindowError:
        return (dt.date.min, dt.date.min)


def _minus_trim(f: NumberFormat, x: float) -> str:
    """A value without needless decimals (6,1; 8; −2,5), through the one formatter."""
    return f.bound(x)


def write_text(b: Bulletin, lang: str = "vi") -> BulletinText:
    """The bulletin's text in ``lang`` (``vi`` or ``en``)."""
    w = _Writer(b, lang)
    f = w.f
    sections = [s for s in (w.total(), w.groups(), w.departments(), w.communes(), w.dm(), w.tasks(), w.focus())
                if s]
    labels = dict(w.C.LABELS)
    labels["recent"] = w.C.RECENT.get(b.window_kind or "", "")
    if b.window_kind in w.C.PREVIOUS_RANK:  # "Hạng tuần trước": the period as people say it
        labels["previous_rank"] = w.C.PREVIOUS_RANK[b.window_kind]
    labels["tables_heading"] = w.M["h_tables"]
    subtitle = w.t("subtitle", period=f.period(b.window, year=True), index=b.index_name if lang == "vi" else b.index_name_en)
    abstract = w.t("abstract", period=f.period_dated(b.window))
    return BulletinText(lang, w.title(), subtitle, sections, labels, w.t("doc_type"), abstract)


def issued_line(b: Bulletin, lang: str, at: dt.datetime) -> str:
    """When and from what the bulletin was made, the time in ``CHISO_TIMEZONE`` (Asia/Ho_Chi_Minh),
    with the last day its figures cover ("số liệu đến 29/11/2026")."""
    w = _Writer(b, lang)
    source = w.t("source_records" if b.source == "records" else "source_counts")
    if at.tzinfo is not None:
        at = at.astimezone(settings.timezone())
    stamp = at.strftime("%d/%m/%Y %H:%M") if lang == "vi" else at.strftime("%Y-%m-%d %H:%M")
    line = w.t("issued", at=stamp, source=source)
    if b.window_end:
        line += w.t("data_until", day=spoken.day_text(dt.date.fromisoformat(b.window_end), lang))
    return line
