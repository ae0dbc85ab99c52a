/* Màn hình IOC (templates/wall.html), two jobs, nothing inline (Content-Security-Policy):

   - rotation: the slides of .wall-rotator show one at a time, each for data-rotate-seconds
     (CHISO_WALL_ROTATE_SECONDS; 0: no rotation, every slide shows). The place is kept in this
     script, not in the page, so the board HTMX reloads every minute comes back on the slide that
     was showing. Without this script every slide shows, one under the other;
   - scale: the wall's charts (the [data-chart] elements chiso.js draws) are written for a
     1920×1080 screen (chiso/web/pages/wall_charts.py); every size in their options — fontSize,
     widths, symbol sizes, grid margins — is multiplied by min(width / 1920, height / 1080)
     (2 on a 3840×2160 wall) after chiso.js drew them, and again on every resize. Only those
     sizes are given to ECharts (a partial option, merged): the formatters chiso.js made stay.

   Runs after chiso.js (both deferred, this one later in the page), so its listeners for
   DOMContentLoaded and htmx:afterSettle run after chiso.js's. */
(function () {
  "use strict";
  document.documentElement.classList.add("wall-js");  // the dials' text stands in for them without this script
  var SIZE_KEYS = { fontSize: 1, lineHeight: 1, width: 1, symbolSize: 1, distance: 1, length: 1,
    left: 1, right: 1, top: 1, bottom: 1, itemWidth: 1, itemHeight: 1, itemGap: 1, nameGap: 1, margin: 1 };
  var MIN_SCALE = 0.6;
  var slide = 0;       // the slide showing, kept across HTMX reloads
  var timer = null;

  function scale() {
    var s = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    if (window.innerWidth <= 900) { s = 0.7; }  // stacked for a phone: wall.css's --u there
    return Math.max(s, MIN_SCALE);
  }

  /* The sizes of an option, multiplied by k; undefined when the node holds none. An array keeps
     its positions ({} for an item without sizes) so ECharts merges each series into its own. */
  function sizes(node, k) {
    if (Array.isArray(node)) {
      var items = node.map(function (x) { return sizes(x, k); });
      if (!items.some(function (x) { return x !== undefined; })) { return undefined; }
      return items.map(function (x) { return x === undefined ? {} : x; });
    }
    if (node === null || typeof node !== "object") { return undefined; }
    var out = {};
    var any = false;
    Object.keys(node).forEach(function (key) {
      var v = node[key];
      if (SIZE_KEYS[key] && typeof v === "number") {
        out[key] = v * k;
        any = true;
      } else if (v !== null && typeof v === "object") {
        var inner = sizes(v, k);
        if (inner !== undefined) { out[key] = inner; any = true; }
      }
    });
    return any ? out : undefined;
  }

  function scaleCharts() {
    if (typeof echarts === "undefined") { return; }
    var k = scale();
    document.querySelectorAll(".wall [data-chart]").forEach(function (el) {
      var chart = echarts.getInstanceByDom(el);
      if (!chart) { return; }
      var option;
      try { option = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
      var partial = sizes(option, k);
      if (partial) { chart.setOption(partial); }
      chart.resize();
    });
  }

  function show(rotator) {
    var slides = rotator.querySelectorAll(".wall-slide");
    if (!slides.length) { return; }
    slide = slide % slides.length;
    slides.forEach(function (el, i) {
      el.classList.toggle("is-active", i === slide);
      el.setAttribute("aria-hidden", i === slide ? "false" : "true");
    });
  }

  function rotator() {
    return document.querySelector(".wall-rotator");
  }

  function setUp() {
    var r = rotator();
    if (!r) { return; }
    var seconds = parseInt(r.getAttribute("data-rotate-seconds"), 10);
    if (!(seconds > 0)) {
      r.classList.remove("is-rotating");
      return;
    }
    r.classList.add("is-rotating");
    show(r);
    if (timer === null) {
      timer = window.setInterval(function () {
        var now = rotator();
        if (!now) { return; }
        slide += 1;
        show(now);
      }, seconds * 1000);
    }
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(); scaleCharts(); });
  document.addEventListener("htmx:afterSwap", setUp);  // before the new board settles: no flash of every slide
  document.addEventListener("htmx:afterSettle", function () { setUp(); scaleCharts(); });
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending !== null) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () { pending = null; scaleCharts(); }, 100);
  });
})();
