/* chiso front end, deliberately small:
   - every element with data-chart='{…ECharts option…}' becomes an ECharts chart
     (on load and after every HTMX swap), resized with its box;
   - HTMX sends the CSRF token (the <body hx-headers> attribute carries X-CSRF-Token). */
(function () {
  "use strict";
  var charts = [];

  function theme() {
    return document.body.classList.contains("theme-wall") ? "dark" : null;
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
      var chart = echarts.init(el, theme(), { renderer: "canvas" });
      if (theme() === "dark") { option.backgroundColor = option.backgroundColor || "transparent"; }
      chart.setOption(option);
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

  /* HTMX: keep history small, no eval of inline scripts in swapped content. */
  document.addEventListener("htmx:load", function () {
    if (window.htmx && !window.htmx.__chisoConfigured) {
      window.htmx.config.allowEval = false;
      window.htmx.config.historyCacheSize = 5;
      window.htmx.config.includeIndicatorStyles = true;
      window.htmx.__chisoConfigured = true;
    }
  }, { once: true });
})();
