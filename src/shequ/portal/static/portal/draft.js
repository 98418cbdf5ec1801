/* Report draft: keep typed text on the phone when the network fails (no inline script, for the CSP).
 *
 * On the report form (form#report) it restores and saves the draft; loaded with data-clear-draft (after a
 * report went through) it forgets the draft.
 */
(function () {
  "use strict";
  var key = "shequ-report-draft";
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) return;
  var script = document.currentScript;
  if (script && script.hasAttribute("data-clear-draft")) {
    try { store.removeItem(key); } catch (e) { /* storage unavailable */ }
    return;
  }
  var form = document.getElementById("report");
  if (!form) return;
  var names = ["description", "case_type", "building"];
  try {
    var draft = JSON.parse(store.getItem(key) || "{}");
    names.forEach(function (name) { if (draft[name] && form[name] && !form[name].value) form[name].value = draft[name]; });
  } catch (e) { /* a broken draft is ignored */ }
  function save() {
    var draft = {};
    names.forEach(function (name) { if (form[name]) draft[name] = form[name].value; });
    try { store.setItem(key, JSON.stringify(draft)); } catch (e) { /* storage full or unavailable */ }
  }
  form.addEventListener("input", save);
  form.addEventListener("submit", save);
})();
