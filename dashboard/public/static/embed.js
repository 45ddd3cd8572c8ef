/* Renders one public chart from data/<key>.json beside this page and reports its
   height to the host page, so the iframe never needs a scrollbar.
   Everything member-written is set as text (textContent), never as HTML. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var pairs = [];
  params.forEach(function (value, name) { pairs.push([name, value]); });
  pairs.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
  var key = pairs.length ? pairs.map(function (p) { return p[0] + "=" + p[1]; }).join("&") : "all";
  var base = "data/" + encodeURIComponent(key);
  var chart = document.getElementById("chart");
  var summary = document.getElementById("summary");

  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (window.parent !== window) {
      window.parent.postMessage({ type: "community-insights:height", height: height }, "*");
    }
  }

  function fail(message) {
    summary.textContent = message;
    summary.setAttribute("role", "alert");
    chart.remove();
    reportHeight();
  }

  document.getElementById("download").setAttribute("href", base + ".csv");
  fetch(base + ".json", { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json();
    })
    .then(function (data) {
      document.getElementById("title").textContent = data.title;
      document.title = data.title;
      summary.textContent = data.summary;
      document.getElementById("as-of").textContent = "Data as of " + data.as_of;
      var layout = data.figure.layout || {};
      layout.autosize = true;
      delete layout.width;
      return window.Plotly.newPlot(chart, data.figure.data || [], layout, {
        displaylogo: false, responsive: true, showSendToCloud: false,
        showEditInChartStudio: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]
      });
    })
    .then(function () {
      chart.setAttribute("data-rendered", "true");
      reportHeight();
    })
    .catch(function () {
      fail("This chart is not available for these filters.");
    });

  if (window.ResizeObserver) {
    new ResizeObserver(reportHeight).observe(document.documentElement);
  }
  window.addEventListener("load", reportHeight);
})();
