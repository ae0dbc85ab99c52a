/* The approval inbox (/inbox): "select all on this page" — shown only when scripts run (CSP: no inline code). */
(function () {
  "use strict";
  function ready() {
    var all = document.getElementById("pick-all");
    var form = document.getElementById("inbox-form");
    if (!all || !form) { return; }
    all.hidden = false;
    var label = form.querySelector(".pick-all-label");
    if (label) { label.hidden = false; }
    all.addEventListener("change", function () {
      form.querySelectorAll("input[name=item]").forEach(function (box) { box.checked = all.checked; });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
