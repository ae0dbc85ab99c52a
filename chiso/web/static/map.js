/* Bản đồ (maps), drawn with the vendored ECharts; nothing from outside, no tile server.

   Every element [data-map="KEY"] (templates/_map.html, macro map_panel) becomes a map:
   - its shapes are GeoJSON fetched once per page from data-map-shapes (/api/v1/maps/…),
     registered as KEY (features carry properties.code and properties.name);
   - its values are the JSON of its data-map-values attribute: items (code,
     name, value, rank, peers, cls = colour class 0–4 or null, url), pieces (the legend),
     texts (rank "Hạng {rank}/{peers}", no_data), digits, unit, label;
   - a region's colour is its class's, read from the legend's swatches (.map-k0 … .map-k4,
     .map-k-none in maps.css): one palette for the map, the legend and the tile grid;
   - hover (or a first tap) names the unit, its value and rank, on the canvas and in the line
     under the map (.map-hover, aria-live); a click (a second tap) opens its url (when
     data-map-links="1");
   - dark colours under <body class="theme-wall"> or in a .map-dark panel;
   - maps are drawn on load and after HTMX swaps (the wall refreshes itself), resized with
     the window. No inline script or style (Content-Security-Policy): the height comes as
     data-height and is set through the CSSOM. */
(function () {
  "use strict";
  if (window.chisoMaps) { return; }  // the macro may bring this script more than once
  window.chisoMaps = true;
  var HEIGHT = /^\d+(\.\d+)?(px|rem|em|vh|%)$/;
  var LOCALES = { vi: "vi-VN", en: "en-GB" };
  var shapes = {};   // URL → Promise of GeoJSON
  var maps = [];

  function locale() {
    return LOCALES[document.body.getAttribute("data-lang")] || LOCALES.vi;
  }

  function number(value, digits) {
    if (value === null || value === undefined || isNaN(+value)) { return null; }
    return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits })
      .format(+value);
  }

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : values[k]; });
  }

  function loadShapes(url) {
    if (!shapes[url]) {
      shapes[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error(url + ": " + r.status); }
          return r.json();
        });
    }
    return shapes[url];
  }

  /* maps.css's palette, should the stylesheet not be applied yet. */
  var FALLBACK = { "0": "#c0392b", "1": "#e67e22", "2": "#f1c40f", "3": "#7fbf5a", "4": "#1e8449" };

  /* The colour of each class, as the legend's swatches show it. */
  function palette(panel) {
    var out = {};
    panel.querySelectorAll(".map-swatch").forEach(function (sw) {
      var m = /map-k(\d|-none)/.exec(sw.className);
      var colour = m ? getComputedStyle(sw).backgroundColor : "";
      if (m && colour && colour !== "transparent" && colour !== "rgba(0, 0, 0, 0)") { out[m[1]] = colour; }
      else if (m && FALLBACK[m[1]]) { out[m[1]] = FALLBACK[m[1]]; }
    });
    return out;
  }

  function bounds(geojson) {
    var box = [180, 90, -180, -90];
    function walk(c) {
      if (typeof c[0] === "number") {
        box[0] = Math.min(box[0], c[0]); box[1] = Math.min(box[1], c[1]);
        box[2] = Math.max(box[2], c[0]); box[3] = Math.max(box[3], c[1]);
        return;
      }
      c.forEach(walk);
    }
    geojson.features.forEach(function (f) { if (f.geometry) { walk(f.geometry.coordinates); } });
    return box;
  }

  /* The map's size (pixels) so that it fills its box with its shape kept: ECharts measures
     layoutSize along the longer side of the shape. */
  function fit(el, aspect) {
    var w = el.clientWidth * 0.96, h = el.clientHeight * 0.96;
    return Math.max(10, aspect > 1 ? Math.min(w, h * aspect) : Math.min(h, w / aspect));
  }

  function describe(item, data) {
    var lines = [item.name];
    var value = number(item.value, data.digits);
    lines.push(value === null ? data.texts.no_data : value + (data.unit ? " " + data.unit : ""));
    if (item.rank !== null && item.rank !== undefined) {
      lines.push(fill(data.texts.rank, { rank: item.rank, peers: item.peers }));
    }
    return lines;
  }

  function draw(el) {
    if (el.dataset.mapReady || typeof echarts === "undefined") { return; }
    el.dataset.mapReady = "1";
    var data;
    try { data = JSON.parse(el.getAttribute("data-map-values")); } catch (e) { el.dataset.mapError = "data"; return; }
    var height = el.getAttribute("data-height");
    if (height && HEIGHT.test(height)) { el.style.height = height; }
    var panel = el.closest(".map-panel") || el.parentElement;
    var wall = document.body.classList.contains("theme-wall");
    var dark = wall || panel.classList.contains("map-dark");
    var links = el.getAttribute("data-map-links") === "1";
    var hover = panel.querySelector(".map-hover");
    if (!hover) {
      hover = document.createElement("p");
      hover.className = "map-hover";
      hover.setAttribute("aria-live", "polite");
      el.insertAdjacentElement("afterend", hover);
    }
    var key = el.getAttribute("data-map");
    loadShapes(el.getAttribute("data-map-shapes")).then(function (geojson) {
      if (!el.isConnected) { return; }
      if (!echarts.getMap(key)) { echarts.registerMap(key, geojson); }
      var colours = palette(panel);
      var none = colours["-none"] || (dark ? "#33415a" : "#d9dee5");
      var byCode = {};
      var series = data.items.map(function (item) {
        byCode[item.code] = item;
        var colour = item.cls === null || item.cls === undefined ? none : (colours[String(item.cls)] || none);
        return { name: item.code, value: item.value, unitName: item.name, rank: item.rank, peers: item.peers,
                 url: item.url, itemStyle: { areaColor: colour } };
      });
      var box = bounds(geojson);
      var scale = Math.cos(((box[1] + box[3]) / 2) * Math.PI / 180);
      var aspect = (box[2] - box[0]) / Math.max(box[3] - box[1], 1e-9) * scale;
      var chart = echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        backgroundColor: "transparent",
        tooltip: {
          trigger: "item", renderMode: "richText", confine: true,
          textStyle: { fontSize: wall ? 24 : 14 },
          formatter: function (p) {
            var item = byCode[p.name];
            return item ? describe(item, data).join("\n") : "";
          }
        },
        series: [{
          type: "map", map: key, nameProperty: "code", roam: false, selectedMode: false,
          aspectScale: scale,
          layoutCenter: ["50%", "50%"], layoutSize: fit(el, aspect),
          label: { show: false },
          itemStyle: { areaColor: none, borderColor: dark ? "#0b1422" : "#ffffff", borderWidth: 0.8 },
          emphasis: { label: { show: false }, itemStyle: { borderColor: dark ? "#ffffff" : "#0b1f33", borderWidth: 2 } },
          data: series
        }]
      });
      chart.on("mouseover", function (p) {
        var item = byCode[p.name];
        if (item) { hover.textContent = describe(item, data).join(" · "); }
      });
      /* On a touch screen the first tap on a unit shows its name, value and rank (there is no
         hover); a second tap on the same unit opens it. A mouse click opens it at once. */
      var tapped = null;
      chart.on("click", function (p) {
        var item = byCode[p.name];
        if (!item) { return; }
        var native = p.event && p.event.event;
        var touch = native && (native.pointerType === "touch" || String(native.type).indexOf("touch") === 0);
        if (touch && tapped !== item.code) {
          tapped = item.code;
          hover.textContent = describe(item, data).join(" · ");
          return;
        }
        if (links && item.url) { window.location.href = item.url; }
      });
      chart.chisoFit = function () { chart.setOption({ series: [{ layoutSize: fit(el, aspect) }] }); };
      maps.push(chart);
    }).catch(function () {
      el.dataset.mapError = "shapes";
      el.textContent = "";
      var p = document.createElement("p");
      p.className = "notice";
      p.textContent = (data.texts && data.texts.unavailable) || "—";
      el.appendChild(p);
    });
  }

  function drawIn(root) {
    (root || document).querySelectorAll("[data-map]").forEach(draw);
  }

  function disposeIn(root) {
    if (typeof echarts === "undefined" || !root.querySelectorAll) { return; }
    root.querySelectorAll("[data-map-ready]").forEach(function (el) {
      var c = echarts.getInstanceByDom(el);
      if (c) { maps.splice(maps.indexOf(c), 1); c.dispose(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawIn(document); });
  document.addEventListener("htmx:beforeSwap", function (evt) { if (evt.detail.target) { disposeIn(evt.detail.target); } });
  document.addEventListener("htmx:afterSettle", function (evt) { drawIn(evt.detail.elt || document); });
  window.addEventListener("resize", function () {
    maps.forEach(function (c) { c.resize(); if (c.chisoFit) { c.chisoFit(); } });
  });
})();
