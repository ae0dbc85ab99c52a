/* chiso front end, deliberately small:
   - every element with data-chart='{…ECharts option…}' becomes an ECharts chart
     (on load and after every HTMX swap), resized with its box;
   - chart numbers follow the page's language (<body data-lang>: vi 92,28 and 1.234;
     en 92.28 and 1,234): the options name formatters as strings ("chiso:num:2",
     "chiso:num:0", "chiso:axis", see chiso/web/pages/charts.py), turned here into functions;
     value axes and tooltips that name none get a localised one;
   - HTMX sends the CSRF token (the <body hx-headers> attribute carries X-CSRF-Token);
     its settings are the <meta name="htmx-config"> of base.html;
   - nothing inline: the Content-Security-Policy (chiso/web/security/headers.py) runs no
     inline script and applies no style="…" attribute, so a chart's height comes as
     data-height (set here through the CSSOM, which the policy allows), tooltips are drawn
     on the canvas (ECharts' HTML tooltips are markup with style attributes), and a
     <select data-autosubmit> submits its form on change (no onchange="…");
   - every table in <main> is wrapped in a box that scrolls sideways (phones). */
(function () {
  "use strict";
  var charts = [];
  var LOCALES = { vi: "vi-VN", en: "en-GB" };
  var formats = {};
  var HEIGHT = /^\d+(\.\d+)?(px|rem|em|vh|%)$/;

  function theme() {
    return document.body.classList.contains("theme-wall") ? "dark" : null;
  }

  function locale() {
    return LOCALES[document.body.getAttribute("data-lang")] || LOCALES.vi;
  }

  function numberFormat(min, max) {
    var key = locale() + ":" + min + ":" + max;
    if (!formats[key]) {
      formats[key] = new Intl.NumberFormat(locale(), { minimumFractionDigits: min, maximumFractionDigits: max });
    }
    return formats[key];
  }

  /* "chiso:num:N" → N decimals; "chiso:axis" → at most two. Series labels get {value: …}. */
  function formatter(name) {
    var parts = name.split(":");
    var fmt = parts[1] === "num" ? numberFormat(+parts[2], +parts[2]) : numberFormat(0, 2);
    return function (x) {
      var v = (x !== null && typeof x === "object") ? x.value : x;
      if (Array.isArray(v)) { v = v[v.length - 1]; }
      if (v === null || v === undefined || v === "" || isNaN(+v)) { return "—"; }
      return fmt.format(+v);
    };
  }

  function localise(node) {
    if (Array.isArray(node)) { node.forEach(localise); return; }
    if (node === null || typeof node !== "object") { return; }
    Object.keys(node).forEach(function (k) {
      var v = node[k];
      if ((k === "formatter" || k === "valueFormatter") && typeof v === "string" && v.indexOf("chiso:") === 0) {
        node[k] = formatter(v);
      } else {
        localise(v);
      }
    });
  }

  function withDefaults(option) {
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (axis) {
      if (axis.type === "value") {
        axis.axisLabel = axis.axisLabel || {};
        if (!axis.axisLabel.formatter) { axis.axisLabel.formatter = "chiso:axis"; }
      }
    });
    [].concat(option.tooltip || []).forEach(function (tooltip) {
      if (!tooltip.valueFormatter && !tooltip.formatter) { tooltip.valueFormatter = "chiso:axis"; }
      tooltip.renderMode = "richText";
    });
    localise(option);
    return option;
  }

  function initCharts(root) {
    if (typeof echarts === "undefined") { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chartReady) { return; }
      var option;
      try { option = JSON.parse(el.getAttribute("data-chart")); } catch (e) {
        el.textContent = "chart: invalid options";
        return;
      }
      var height = el.getAttribute("data-height");
      if (height && HEIGHT.test(height)) { el.style.height = height; }
      var chart = echarts.init(el, theme(), { renderer: "canvas" });
      if (theme() === "dark") { option.backgroundColor = option.backgroundColor || "transparent"; }
      chart.setOption(withDefaults(option));
      el.dataset.chartReady = "1";
      charts.push(chart);
    });
  }

  function disposeIn(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart-ready]").forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      if (c) { charts.splice(charts.indexOf(c), 1); c.dispose(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.target) { disposeIn(evt.detail.target); }
  });
  document.addEventListener("htmx:afterSettle", function (evt) { initCharts(evt.detail.elt || document); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  /* Every table in <main> scrolls inside its own box (<div class="table-scroll">), never the page
     (phones, 390 px): the templates wrap theirs, this wraps the others — on load and after HTMX swaps. */
  function wrapTables(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("main table").forEach(function (table) {
      var parent = table.parentElement;
      if (!parent || table.closest(".table-scroll, .table-wrap")) { return; }
      var box = document.createElement("div");
      box.className = "table-scroll";
      parent.insertBefore(box, table);
      box.appendChild(table);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { wrapTables(document); });
  document.addEventListener("htmx:afterSettle", function (evt) {
    wrapTables(evt.detail.elt && evt.detail.elt.parentElement ? evt.detail.elt.parentElement : document);
  });

  /* <select data-autosubmit>: a filter that applies itself (the <noscript> button does without JS). */
  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });
})();
