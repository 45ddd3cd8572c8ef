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
  document.getElementById("package").setAttribute("href", base + ".zip");

  // The network's name links to its site (an http(s) address from the server's settings).
  function credit(data) {
    var source = document.getElementById("source");
    source.textContent = "";
    var name = data.network || "";
    if (/^https?:\/\//.test(data.network_url || "")) {
      var link = document.createElement("a");
      link.href = data.network_url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = name;
      source.appendChild(link);
    } else {
      source.appendChild(document.createTextNode(name));
    }
    if (typeof data.voters === "number") {
      source.appendChild(document.createTextNode(" · " + data.voters.toLocaleString() + " voters"));
    }
    source.appendChild(document.createTextNode(" ·"));
    var accessed = new Date().toISOString().slice(0, 10);
    document.getElementById("citation").textContent =
      (data.citation || "") + " (accessed " + accessed + ").";
  }
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
      credit(data);
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
