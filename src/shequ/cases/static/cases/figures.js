// Draws the leader figures (cases/_leader_figures.html) with Apache ECharts from the JSON the page carries
// (`json_script`), so no inline script is needed under the Content-Security-Policy. Tooltips use ECharts'
// rich-text mode: its HTML tooltips carry inline styles, which the policy refuses.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("leader-figures-data");
    if (!source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    var trend = document.getElementById("leader-trend-chart");
    if (trend) {
      var t = window.echarts.init(trend);
      t.setOption({
        animation: false,
        aria: { enabled: true },
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 0 },
        grid: { left: 44, right: 16, top: 32, bottom: 28 },
        xAxis: { type: "category", data: data.weeks },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        // A week without resolved (or rated) cases has no rate: the line joins the weeks that have one.
        series: data.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, connectNulls: true, showAllSymbol: true, symbolSize: 7 };
        }),
      });
      charts.push(t);
    }
    var levels = document.getElementById("leader-level-chart");
    if (levels) {
      var l = window.echarts.init(levels);
      l.setOption({
        animation: false,
        aria: { enabled: true },
        tooltip: { trigger: "axis", renderMode: "richText" },
        grid: { left: 40, right: 16, top: 16, bottom: 28 },
        xAxis: {
          type: "category",
          axisLabel: { interval: 0, fontSize: 11 },
          data: data.levels.map(function (x) { return x.name; }),
        },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", data: data.levels.map(function (x) { return x.value; }) }],
      });
      charts.push(l);
    }
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
