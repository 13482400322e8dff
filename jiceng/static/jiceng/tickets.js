// 诉求 forms on a phone: narrow the categories to the chosen type, and pick a location on the grid map
// (no tiles needed: the grid polygons are the map). CSP: no inline script, this file only.
(function () {
  "use strict";
  // A name typed by users is text, never markup: Leaflet puts a string tooltip in with innerHTML, a node as is.
  function textNode(text) { var span = document.createElement("span"); span.textContent = String(text); return span; }
  // 1. Category options carry data-kind; show those of the checked type.
  var category = document.querySelector("select[name=category]");
  var kinds = document.querySelectorAll("input[name=kind]");
  function narrow() {
    var checked = document.querySelector("input[name=kind]:checked");
    if (!category || !checked) return;
    var keep = false;
    Array.prototype.forEach.call(category.options, function (opt) {
      if (!opt.value) return;
      var show = opt.dataset.kind === checked.value;
      opt.hidden = !show;
      opt.disabled = !show;
      if (show && opt.selected) keep = true;
    });
    if (!keep) category.value = "";
  }
  Array.prototype.forEach.call(kinds, function (k) { k.addEventListener("change", narrow); });
  narrow();

  // 2. The location picker.
  var el = document.getElementById("jc-pick-map");
  if (!el || !window.L) return;
  var lng = document.querySelector("input[name=lng]");
  var lat = document.querySelector("input[name=lat]");
  var status = document.getElementById("jc-pick-status");
  var building = document.querySelector("select[name=building]");
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, tap: true });
  var marker = null;
  var grids = [];  // the loaded GeoJSON features: which grid a point falls in
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function gridAt(latlng) {
    for (var k = 0; k < grids.length; k++) {
      var g = grids[k].geometry || {};
      var polygons = g.type === "Polygon" ? [g.coordinates] : (g.type === "MultiPolygon" ? g.coordinates : []);
      for (var p = 0; p < polygons.length; p++) {
        var rings = polygons[p];
        if (!rings.length || !inRing(latlng.lng, latlng.lat, rings[0])) continue;
        var hole = false;
        for (var h = 1; h < rings.length; h++) { if (inRing(latlng.lng, latlng.lat, rings[h])) hole = true; }
        if (!hole) return String(grids[k].properties.name);
      }
    }
    return "";
  }
  function choose(latlng, label) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 8, color: "#c8102e", fillOpacity: 0.8 }).addTo(map); }
    lng.value = latlng.lng.toFixed(6);
    lat.value = latlng.lat.toFixed(6);
    if (building) building.value = "";
    var grid = gridAt(latlng);
    // Text only (textContent): a grid's name never becomes markup.
    status.textContent = grid
      ? "已选位置：" + (label && label !== grid ? label + " · " : "") + grid + "（" + lng.value + ", " + lat.value + "）"
      : "所选位置不在地图上的网格内，请重新选点或选择楼栋。";
    status.classList.toggle("text-danger", !grid);
    el.dataset.picked = "1";
    el.dataset.grid = grid;
  }
  if (building) building.addEventListener("change", function () {
    if (building.value && marker) { map.removeLayer(marker); marker = null; lng.value = ""; lat.value = ""; status.textContent = "已选择楼栋"; }
  });
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      grids = data.features || [];
      var layer = L.geoJSON(data, {
        style: function () { return { color: "#c8102e", weight: 1, fillOpacity: 0.08 }; },
        onEachFeature: function (f, l) {
          l.bindTooltip(textNode(f.properties.name), { sticky: true });
          l.on("click", function (e) { choose(e.latlng, f.properties.name); });
        }
      }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [6, 6] }); } else { map.setView([32.3, 118.3], 13); }
      if (lng.value && lat.value) { choose(L.latLng(parseFloat(lat.value), parseFloat(lng.value))); }
      el.dataset.loaded = String(layer.getLayers().length);
    });
  map.on("click", function (e) { choose(e.latlng); });
  var locate = document.getElementById("jc-locate");
  if (locate) locate.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "此设备不支持定位，请在地图上点选。"; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
      map.setView(ll, 17);
      choose(ll, "我的位置");
    }, function () { status.textContent = "无法获取位置，请在地图上点选。"; });
  });
})();
