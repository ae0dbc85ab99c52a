/* Biểu đồ Gantt của nhiệm vụ (chiso.web.pages.tasks, tasks_gantt.html).
   Each element with data-gantt is drawn from the JSON of that attribute (the
   Content-Security-Policy runs no inline script; the other charts read data-chart alike):
   { today, lang, labels, rows: [{label, content, unit, start, original, deadline, state, overdue,
     starred, extended, due_soon, percent, href}] } — days as YYYY-MM-DD.
   One row per open task, top to bottom (its code and the start of its content at the left): its bar from the day it was assigned to its deadline
   (the deadline day included), the part an approved extension added in a paler colour, the part
   past the deadline up to today in red, a star before a starred task, a dashed line at today.
   An ECharts custom series (the vendored ECharts, loaded before this file); tooltips drawn on
   the canvas (richText: ECharts' HTML tooltips carry style attributes the policy refuses);
   a click on a bar opens the task. The box scrolls sideways on a phone (tasks.css). */
(function () {
  "use strict";
  var DAY = 86400000;
  var COLORS = { bar: "#0b5cad", soon: "#d68910", extension: "#9cc3ef", overdue: "#c0392b", today: "#1a202c",
                 star: "#d97706" };
  var LOCALES = { vi: "vi-VN", en: "en-GB" };
  var HEIGHT = /^\d+(\.\d+)?(px|rem|em)$/;

  function day(text) { return text ? Date.parse(text + "T00:00:00Z") : null; }

  function formatters(lang) {
    var locale = LOCALES[lang] || LOCALES.vi;
    var full = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" });
    var month = new Intl.DateTimeFormat(locale, { month: "short", year: "numeric", timeZone: "UTC" });
    var num = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    return { full: function (t) { return full.format(new Date(t)); },
             /* the axis: "12/2026" in Vietnamese (as people write a month), "Dec 2026" in English */
             month: function (t) {
               var d = new Date(t);
               if (lang === "en") { return month.format(d); }
               return (d.getUTCMonth() < 9 ? "0" : "") + (d.getUTCMonth() + 1) + "/" + d.getUTCFullYear();
             },
             num: function (n) { return num.format(n); } };
  }

  function option(data) {
    var fmt = formatters(data.lang);
    var L = data.labels;
    var today = day(data.today);
    var lo = today, hi = today + DAY;
    var items = data.rows.map(function (r, i) {
      var start = day(r.start), deadline = day(r.deadline), original = day(r.original) || deadline;
      lo = Math.min(lo, start);
      hi = Math.max(hi, deadline + DAY, original + DAY);
      return { value: [i, start, Math.min(original, deadline) + DAY, deadline + DAY,
                       r.state === "open_overdue" ? today + DAY : null] };
    });
    var pad = Math.max(2 * DAY, (hi - lo) * 0.02);

    function renderItem(params, api) {
      var i = api.value(0), r = data.rows[i];
      var y = api.coord([api.value(1), i])[1];
      var band = api.size([0, 1])[1] * 0.56;
      var x = function (t) { return api.coord([t, i])[0]; };
      var parts = [];
      function rect(from, to, color) {
        if (to <= from) { return; }
        parts.push({ type: "rect", shape: { x: x(from), y: y - band / 2, width: Math.max(2, x(to) - x(from)), height: band, r: 3 },
                     style: { fill: color } });
      }
      rect(api.value(1), api.value(2), r.due_soon ? COLORS.soon : COLORS.bar);
      rect(api.value(2), api.value(3), COLORS.extension);
      if (api.value(4) !== null && !isNaN(api.value(4))) { rect(api.value(3), api.value(4), COLORS.overdue); }
      if (r.starred) {
        parts.push({ type: "text", style: { text: "★", x: x(api.value(1)) - 3, y: y, align: "right",
                                             verticalAlign: "middle", fill: COLORS.star, fontSize: 15 } });
      }
      return { type: "group", children: parts };
    }

    function tip(p) {
      var r = data.rows[p.dataIndex];
      var lines = [r.label, r.content, r.unit,
                   L.start + ": " + fmt.full(day(r.start)),
                   L.deadline + ": " + fmt.full(day(r.deadline))];
      if (r.extended) { lines.push(L.original + ": " + fmt.full(day(r.original))); }
      if (r.state === "open_overdue") { lines.push(L.overdue + ": " + fmt.num(r.overdue) + " " + L.days); }
      return lines.join("\n");
    }

    return {
      animation: false,
      grid: { left: 8, right: 24, top: 28, bottom: 34, containLabel: true },
      tooltip: { trigger: "item", renderMode: "richText", formatter: tip, confine: true },
      xAxis: { type: "time", min: lo - pad, max: hi + pad, position: "top",
               axisLabel: { formatter: function (t) { return fmt.month(t); }, hideOverlap: true },
               splitLine: { show: true, lineStyle: { color: "#eef1f5" } } },
      yAxis: { type: "category", inverse: true,
               data: data.rows.map(function (r) { return r.label + "\n" + r.content; }),
               axisTick: { show: false },
               axisLabel: { width: 210, overflow: "truncate", fontSize: 12, lineHeight: 15 } },
      series: [{
        type: "custom", renderItem: renderItem, encode: { x: [1, 2, 3], y: 0 }, data: items, clip: true,
        markLine: { silent: true, symbol: "none", data: [{ xAxis: today }],
                    lineStyle: { color: COLORS.today, type: "dashed", width: 1.5 },
                    label: { formatter: L.today + " " + fmt.full(today), position: "end", fontSize: 11 } }
      }]
    };
  }

  function drawAll() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-gantt]").forEach(function (el) {
      if (el.dataset.ganttReady) { return; }
      var data;
      try { data = JSON.parse(el.getAttribute("data-gantt")); } catch (e) { el.textContent = "gantt: invalid data"; return; }
      if (!data.rows || !data.rows.length) { return; }
      var height = el.getAttribute("data-height");
      if (height && HEIGHT.test(height)) { el.style.height = height; }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(data));
      chart.on("click", function (p) {
        var r = data.rows[p.dataIndex];
        if (r && r.href) { window.location.href = r.href; }
      });
      window.addEventListener("resize", function () { chart.resize(); });
      el.dataset.ganttReady = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", drawAll);
})();
