/* Page behaviour for the workbench, kept out of the HTML so the Content-Security-Policy needs no inline script.
 *
 *   <form data-confirm="…">, <button data-confirm="…">, <a data-confirm="…">  ask before submitting or following
 *   <select data-autosubmit>                                                   submits its form when changed
 *
 * Alpine components are registered here for Alpine's CSP build, which evaluates no expressions: x-data names a
 * component and x-on/x-bind/x-show/x-text name its properties and methods.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (link && !window.confirm(link.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });

  document.addEventListener("alpine:init", function () {
    var Alpine = window.Alpine;

    /* Bulk triage on the case queue: counts the ticked cases and keeps "select all" in step. */
    Alpine.data("bulkTriage", function () {
      return {
        n: 0,
        mode: "suggested",
        count: function () {
          var boxes = document.querySelectorAll("#bulk-triage input[name=case]");
          this.n = Array.prototype.filter.call(boxes, function (c) { return c.checked; }).length;
          var all = document.getElementById("select-all");
          if (all) {
            all.checked = boxes.length > 0 && this.n === boxes.length;
          }
        },
        selectAll: function (event) {
          var ticked = event.target.checked;
          document.querySelectorAll("#bulk-triage input[name=case]").forEach(function (c) { c.checked = ticked; });
        },
        get nothingTicked() { return this.n === 0; },
        get somethingTicked() { return this.n > 0; },
        get categoryUsed() { return this.mode === "chosen"; },
        get categoryUnused() { return this.mode !== "chosen"; },
      };
    });

    /* One node of the territory tree: a button opens and closes its children. */
    Alpine.data("treeNode", function () {
      return {
        open: false,
        toggle: function () { this.open = !this.open; },
        get expanded() { return this.open ? "true" : "false"; },
      };
    });
  });
})();
