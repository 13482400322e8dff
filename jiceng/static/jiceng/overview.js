// 党建引领看板: one bar chart of the chosen figure across the child nodes (data from the page's JSON block).
(function () {
  "use strict";
  var node = document.getElementById("jc-overview-data");
  var el = document.getElementById("jc-overview-chart");
  var select = document.getElementById("jc-overview-key");
  if (!node || !el || !select || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  var chart = echarts.init(el);
  function draw() {
    var i = Number(select.value) || 0;
    chart.setOption({
      color: ["#c8102e"],
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 24, bottom: 64 },
      xAxis: { type: "category", data: data.nodes, axisLabel: { interval: 0, rotate: data.nodes.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.labels[i], type: "bar", data: data.values.map(function (row) { return row[i]; }) }]
    }, true);
    el.dataset.rendered = data.keys[i];
  }
  select.addEventListener("change", draw);
  window.addEventListener("resize", function () { chart.resize(); });
  draw();
})();
