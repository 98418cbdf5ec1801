/* Compound map for residents (Leaflet, served locally, no tile server).
 *
 * <div id="compound-map" data-url="…" data-label-*="…">: fetches the GeoJSON of the compound (boundaries,
 * buildings, public cases with approximate positions) and draws it on a plain background. Each case marker
 * opens a popup and links to the same case in the list below the map. Labels come from data attributes so
 * the template translates them. All text is inserted as text, never as HTML.
 */
(function () {
  "use strict";

  function note(el, text) {
    var p = document.createElement("p");
    p.className = "cmap-note";
    p.textContent = text;
    el.parentNode.insertBefore(p, el.nextSibling);
  }

  // Leaflet puts string content in as HTML: every label is handed over as an element holding text.
  function textEl(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function popup(props) {
    var box = document.createElement("div");
    box.className = "cmap-popup";
    var strong = document.createElement("strong");
    strong.textContent = props.title;
    box.appendChild(strong);
    var meta = document.createElement("div");
    meta.textContent = [props.status, props.category, props.submitted].filter(Boolean).join(" · ");
    box.appendChild(meta);
    (props.photos || []).forEach(function (url, i) {
      var a = document.createElement("a");
      a.href = url;
      var img = document.createElement("img");
      img.src = url + "?thumb=1";
      img.alt = props.tracking_number + " " + (i + 1);
      a.appendChild(img);
      box.appendChild(a);
    });
    var more = document.createElement("div");
    var link = document.createElement("a");
    link.href = "#case-" + props.tracking_number;
    link.textContent = props.tracking_number;
    more.appendChild(link);
    box.appendChild(more);
    return box;
  }

  function init() {
    var el = document.getElementById("compound-map");
    if (!el) return;
    var d = el.dataset;
    if (typeof window.L === "undefined") {
      el.hidden = true;
      note(el, d.labelError);
      return;
    }
    fetch(d.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        var features = ((data && data.features) || []).filter(function (f) { return f.geometry; });
        if (!features.length) {
          el.hidden = true;
          note(el, d.labelEmpty);
          return;
        }
        var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
        var order = { boundary: 0, building: 1, "case": 2 };
        features.sort(function (a, b) { return order[a.properties.kind] - order[b.properties.kind]; });
        var seen = {};
        var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
          style: function (feature) {
            if (feature.geometry.type === "Point") return {}; // markers keep the options of pointToLayer
            return { color: "#1f5fa8", weight: 2, opacity: 0.8, fillColor: "#1f5fa8", fillOpacity: 0.06 };
          },
          pointToLayer: function (feature, latlng) {
            var p = feature.properties;
            if (p.kind === "building") {
              return L.circleMarker(latlng, { radius: 5, color: "#5f6b7a", weight: 1, fillColor: "#c9d1db", fillOpacity: 1 });
            }
            // Cases at the same approximate point are fanned out a little so each can be tapped.
            var key = latlng.lat.toFixed(6) + "," + latlng.lng.toFixed(6);
            var n = seen[key] = (seen[key] || 0) + 1;
            var shifted = n > 1 ? L.latLng(latlng.lat + 0.00006 * Math.sin(n), latlng.lng + 0.00008 * Math.cos(n)) : latlng;
            var color = p.open ? "#c46a00" : "#1e7b34";
            return L.circleMarker(shifted, { radius: 10, color: "#fff", weight: 2, fillColor: color, fillOpacity: 0.95 });
          },
          onEachFeature: function (feature, lyr) {
            var p = feature.properties;
            if (p.kind === "case") {
              lyr.bindPopup(popup(p));
              lyr.bindTooltip(textEl((p.open ? d.labelOpen : d.labelDone) + " " + p.title));
            } else if (p.kind === "building") {
              lyr.bindTooltip(textEl(p.name), { permanent: true, direction: "right", className: "cmap-label" });
            } else {
              lyr.bindTooltip(textEl(p.name), { sticky: true });
            }
          }
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
        } else {
          map.remove();
          el.hidden = true;
          note(el, d.labelEmpty);
        }
      })
      .catch(function () {
        el.hidden = true;
        note(el, d.labelError);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
