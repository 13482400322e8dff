// 诉求统计: ECharts from the JSON block the page carries, and the per-grid heat map (no inline JS).
(function () {
  "use strict";
  // A name typed by users is text, never markup: Leaflet puts a string tooltip in with innerHTML, a node as is.
  function textNode(text) { var span = document.createElement("span"); span.textContent = String(text); return span; }
  var node = document.getElementById("jc-stats-data");
  if (!node) return;
  var data = JSON.parse(node.textContent);
  var red = "#c8102e";
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = echarts.init(el);
    c.setOption(option);
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("jc-chart-trend", {
    color: [red, "#1864ab"],
    tooltip: { trigger: "axis" },
    legend: { data: ["提交", "结案"] },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.trend.map(function (r) { return r.week.slice(5); }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "提交", type: "line", data: data.trend.map(function (r) { return r.submitted; }) },
      { name: "结案", type: "line", data: data.trend.map(function (r) { return r.closed; }) }
    ]
  });
  chart("jc-chart-category", {
    color: [red],
    tooltip: {},
    grid: { left: 90, right: 16, top: 8, bottom: 24 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.by_category.map(function (r) { return r.name; }) },
    series: [{ type: "bar", data: data.by_category.map(function (r) { return r.value; }) }]
  });
  chart("jc-chart-channel", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.by_channel }]
  });

  var el = document.getElementById("jc-heat-map");
  if (!el || !window.L) return;
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (geo) {
      var max = 0;
      geo.features.forEach(function (f) { max = Math.max(max, f.properties.total); });
      function shade(n) {
        if (!max || !n) return 0.04;
        return 0.12 + 0.78 * (n / max);
      }
      var layer = L.geoJSON(geo, {
        style: function (f) { return { color: red, weight: 0.6, fillColor: red, fillOpacity: shade(f.properties.total) }; },
        onEachFeature: function (f, l) {
          l.bindTooltip(textNode(f.properties.name + "：" + f.properties.total + " 件（在办 " + f.properties.open + "）"), { sticky: true });
        }
      }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [6, 6] }); } else { map.setView([32.3, 118.3], 13); }
      el.dataset.loaded = String(layer.getLayers().length);
      el.dataset.total = String(geo.total);
      var legend = document.getElementById("jc-heat-legend");
      if (legend) legend.textContent = "颜色越深，诉求越多（单个网格最多 " + max + " 件，合计 " + geo.total + " 件）。";
    });
})();
