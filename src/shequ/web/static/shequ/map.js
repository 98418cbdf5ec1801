/* Grid boundaries map for the area page (Leaflet, served locally).
 *
 * <div id="map" data-boundaries-url="…" data-tile-url="…" data-tile-attribution="…"> — an empty tile URL
 * means no base map (offline intranets): the boundaries are drawn on a plain background.
 * Labels come from data-label-* attributes so that they are translated by the template.
 */
(function () {
  "use strict";

  function note(container, text, className) {
    var p = document.createElement("p");
    p.className = className || "map-note";
    p.textContent = text;
    container.parentNode.insertBefore(p, container.nextSibling);
    return p;
  }

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var STYLES = {
    grid: { color: "#1f5fa8", weight: 2.5, opacity: 0.9, fillColor: "#1f5fa8", fillOpacity: 0.08 },
    micro_grid: { color: "#c46a00", weight: 1.5, opacity: 0.9, dashArray: "4 3", fillColor: "#f0a040", fillOpacity: 0.12 },
    other: { color: "#555", weight: 1.5, opacity: 0.8, fillOpacity: 0.05 }
  };

  function styleFor(feature) {
    var level = feature && feature.properties && feature.properties.level;
    return STYLES[level] || STYLES.other;
  }

  function init() {
    var el = document.getElementById("map");
    if (!el) return;
    var d = el.dataset;
    var labels = {
      noTiles: d.labelNoTiles || "未配置底图",
      empty: d.labelEmpty || "暂无网格边界数据",
      error: d.labelError || "网格边界加载失败",
      code: d.labelCode || "代码"
    };
    if (typeof window.L === "undefined") {
      el.hidden = true;
      note(el, labels.error, "map-note map-note-error");
      return;
    }

    var map = L.map(el, { zoomControl: true, attributionControl: true, zoomSnap: 0.25 });
    var tileUrl = (d.tileUrl || "").trim();
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: d.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("map-no-tiles");
      var NoTiles = L.Control.extend({
        options: { position: "bottomleft" },
        onAdd: function () {
          var div = L.DomUtil.create("div", "map-badge");
          div.textContent = labels.noTiles;
          return div;
        }
      });
      new NoTiles().addTo(map);
    }

    function showEmpty(text, cls) {
      map.remove();
      el.hidden = true;
      note(el, text, cls);
    }

    fetch(d.boundariesUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        var features = (data && data.features) || [];
        if (!features.length) {
          showEmpty(labels.empty, "map-note");
          return;
        }
        // Micro-grids on top of grids: draw grids first.
        features.sort(function (a, b) {
          var la = a.properties && a.properties.level === "micro_grid" ? 1 : 0;
          var lb = b.properties && b.properties.level === "micro_grid" ? 1 : 0;
          return la - lb;
        });
        var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
          style: styleFor,
          onEachFeature: function (feature, lyr) {
            var p = feature.properties || {};
            lyr.bindPopup(
              "<strong>" + escapeHtml(p.name) + "</strong><br>" + escapeHtml(labels.code) + "：" + escapeHtml(p.code)
            );
            lyr.bindTooltip(escapeHtml(p.name), { sticky: true });
          }
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) {
          map.fitBounds(bounds, { padding: [12, 12] });
        } else {
          showEmpty(labels.empty, "map-note");
        }
      })
      .catch(function () {
        showEmpty(labels.error, "map-note map-note-error");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
