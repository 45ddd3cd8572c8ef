/* Renders one public chart from data/<key>[.<lang>][.dark].json beside this page and
   reports its height to the host page, so the iframe never needs a scrollbar.
   Language: ?lang=es|en, else the browser's; theme: ?theme=dark|light, else the
   reader's prefers-color-scheme. Everything member-written is set as text
   (textContent), never as HTML. */
(function () {
  "use strict";
  var LANGUAGES = ["en", "es"];
  var params = new URLSearchParams(window.location.search);
  var asked = params.get("lang");
  var browser = (navigator.language || "en").slice(0, 2).toLowerCase();
  var lang = LANGUAGES.indexOf(asked) >= 0 ? asked : (LANGUAGES.indexOf(browser) >= 0 ? browser : "en");
  var theme = params.get("theme");
  if (theme !== "dark" && theme !== "light") {
    theme = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  document.documentElement.setAttribute("lang", lang);
  document.documentElement.setAttribute("data-theme", theme);
  var pairs = [];
  params.forEach(function (value, name) {
    if (name !== "lang" && name !== "theme") { pairs.push([name, value]); }
  });
  pairs.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
  var key = pairs.length ? pairs.map(function (p) { return p[0] + "=" + p[1]; }).join("&") : "all";
  var base = "data/" + encodeURIComponent(key);
  var variant = (lang !== "en" ? "." + lang : "") + (theme === "dark" ? ".dark" : "");
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
    var labels = data.labels || {};
    if (labels.voters) {
      source.appendChild(document.createTextNode(" · " + labels.voters));
    }
    source.appendChild(document.createTextNode(" ·"));
    var accessed = new Date().toLocaleDateString(lang, { year: "numeric", month: "long", day: "numeric" });
    var said = (labels.accessed || "accessed {date}").replace("{date}", accessed);
    document.getElementById("citation").textContent = (data.citation || "") + " (" + said + ").";
  }
  function setText(id, text) {
    var node = document.getElementById(id);
    if (node && text) { node.textContent = text; }
  }

  // The page's own words in the reader's language (the data carries them).
  function chrome(labels) {
    setText("how-to-read", labels.how_to_read);
    setText("download", labels.download);
    setText("package", labels["package"]);
    setText("cite", labels.cite);
    setText("release-text", labels.release);
    setText("latest", labels.latest);
    if (lang !== "en") {
      var read = document.getElementById("how-to-read");
      read.setAttribute("href", read.getAttribute("href") + lang + "/");
    }
  }

  fetch(base + variant + ".json", { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json();
    })
    .then(function (data) {
      document.getElementById("title").textContent = data.title;
      document.title = data.title;
      summary.textContent = data.summary;
      document.getElementById("as-of").textContent =
        (data.labels && data.labels.as_of) || ("Data as of " + data.as_of);
      chrome(data.labels || {});
      credit(data);
      var layout = data.figure.layout || {};
      layout.autosize = true;
      delete layout.width;
      var config = {
        displaylogo: false, responsive: true, showSendToCloud: false,
        showEditInChartStudio: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]
      };
      // The reader's month names and number separators (CLDR, sent with the data).
      if (data.plotly_locale) {
        window.Plotly.register({ moduleType: "locale", name: data.lang, dictionary: {},
                                 format: data.plotly_locale });
        config.locale = data.lang;
      }
      return window.Plotly.newPlot(chart, data.figure.data || [], layout, config);
    })
    .then(function () {
      chart.setAttribute("data-rendered", "true");
      reportHeight();
    })
    .catch(function () {
      // The page carries this message in every language (data-unavailable-<lang>).
      fail(document.body.getAttribute("data-unavailable-" + lang) ||
           "This chart is not available for these filters.");
    });

  if (window.ResizeObserver) {
    new ResizeObserver(reportHeight).observe(document.documentElement);
  }
  window.addEventListener("load", reportHeight);
})();
