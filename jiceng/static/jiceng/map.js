// Grid map without tiles: draws the community's grid polygons; a tile layer only if configured.
(function () {
  // A name typed by users is text, never markup: Leaflet puts a string tooltip in with innerHTML, a node as is.
  function textNode(text) { var span = document.createElement("span"); span.textContent = String(text); return span; }
  var sel = document.getElementById("jc-community-select");
  if (sel) sel.addEventListener("change", function () { sel.form.submit(); });
  var el = document.getElementById("jc-map");
  if (!el || !window.L) return;
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
  if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
  // Seven colours for rows of six grids: neighbours across and down never share one.
  var palette = ["#c8102e", "#d9480f", "#2b8a3e", "#1864ab", "#5f3dc4", "#e67700", "#0b7285"];
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) { return { color: palette[f.properties.id % palette.length], weight: 1.5, fillOpacity: 0.15 }; },
        onEachFeature: function (f, l) {
          l.bindTooltip(textNode(f.properties.name), { sticky: true });
          l.on("click", function () { window.location.href = f.properties.url; });
        }
      }).addTo(map);
      if (window.jcGridLabels) { window.jcGridLabels(map, layer); }
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      else { map.setView([32.3, 118.3], 13); }
      el.dataset.loaded = String(layer.getLayers().length);
    });
})();
