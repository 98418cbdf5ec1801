/* Report form: suggest and search community topics while the resident types (no inline script, for the CSP).
 *
 * The topic list (#topics, data-url) is rendered by the server; this script asks it again with the description,
 * the search words and the chosen topic, 400 ms after the typing stops, and puts the returned fragment in place.
 * The 查找 button does the same instead of posting the whole form, so chosen photos stay in the file input.
 * Without JavaScript, 查找 posts the form back and the server shows the same list.
 */
(function () {
  "use strict";
  var form = document.getElementById("report");
  var box = document.getElementById("topics");
  if (!form || !box || !window.fetch || !window.FormData) return;
  var timer = null;
  var seq = 0;

  function chosen() {
    var checked = form.querySelector("input[name=topic]:checked");
    return checked ? checked.value : "";
  }

  function refresh() {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.csrfmiddlewaretoken.value);
    data.append("description", form.description.value);
    data.append("q", form.q.value);
    data.append("topic", chosen());
    var mine = ++seq;
    fetch(box.dataset.url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) {
        if (mine !== seq) return;
        var now = chosen(); // the resident may have picked one while the list was on its way
        box.innerHTML = html;
        var same = now && box.querySelector("input[name=topic][value='" + now.replace(/[^a-z0-9-]/gi, "") + "']");
        if (same) same.checked = true;
      })
      .catch(function () { /* the list shown stays usable */ });
  }

  function later() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }

  form.description.addEventListener("input", later);
  form.q.addEventListener("input", later);
  var button = document.getElementById("topic-search");
  if (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (timer) clearTimeout(timer);
      refresh();
    });
  }
})();
