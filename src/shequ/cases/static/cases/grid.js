/* Grid worker pages: fill the phone's position into the quick report's hidden lat/lng fields when the user asks
   for it and allows it. No inline script (strict CSP): the button and fields are found by their data attributes. */
(function () {
  "use strict";
  function setup() {
    var button = document.querySelector("[data-locate]");
    if (!button) { return; }
    var lat = document.getElementById("id_lat");
    var lng = document.getElementById("id_lng");
    var status = document.querySelector("[data-locate-status]");
    function say(text) { if (status) { status.textContent = text; } }
    if (!("geolocation" in navigator)) {
      button.hidden = true;
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      say(button.getAttribute("data-wait"));
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lng.value = pos.coords.longitude.toFixed(6);
          say(button.getAttribute("data-done") + " " + lat.value + ", " + lng.value);
        },
        function () {
          lat.value = "";
          lng.value = "";
          say(button.getAttribute("data-failed"));
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
