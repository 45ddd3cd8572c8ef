/* plotly.js on demand: the page's scripts leave our plotly.js bundles out, so a page
   without a chart (Methods, Present) never downloads or runs their 1.2-1.4 MB, and a page
   with charts lays out and paints its words before plotly.js is evaluated.

   dcc.Graph uses window.Plotly when a page has it; otherwise, when the first graph
   mounts, it adds a script tag for window._dashPlotlyJSURL (once) and waits for it. Dash's
   renderer points that address at the full 4.8 MB plotly.js it ships; ours are the
   explorer's partial bundles, named by the page in <script type="text/plain" src="...">
   elements (a type the browser neither fetches nor runs; see dashboard/server.py), so the
   renderer's setting is ignored: #plotly-bundle (bar, scatter, table) on most pages,
   #plotly-bundle-map (the same and choropleth, whose country-name table alone takes
   ~0.2 s to evaluate) on the pages its data-pages attribute lists (and one reloaded for a
   map, below in reloadForMap). */
var MAP_KEY = "plotly-bundle-map";  // sessionStorage: the page that was reloaded for a map

// The pages the bundle with the map is for (dashboard/server.py, MAP_CHARTS).
function mapPages() {
  var tag = document.getElementById("plotly-bundle-map");
  return ((tag && tag.getAttribute("data-pages")) || "").split(" ").filter(Boolean);
}

(function () {
  "use strict";
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: true,
    get: function () {
      var here = window.location.pathname, asked = null;
      try { asked = window.sessionStorage.getItem(MAP_KEY); } catch (e) { /* none */ }
      var map = mapPages().indexOf(here) >= 0 || asked === here;
      var tag = document.getElementById(map ? "plotly-bundle-map" : "plotly-bundle");
      return tag ? tag.getAttribute("src") : undefined;
    },
    set: function () {}
  });
})();

/* A chart card's graph is drawn when it comes near the screen, not at load: a page of six
   charts draws the one or two in sight, and the rest as the reader scrolls to them (the
   card keeps the figure's height meanwhile, so nothing moves). Only graphs inside an
   element marked data-lazy-graph (dashboard/views.py, chart_card) wait; dcc.Graph calls
   Plotly.react and binds its events once the promise resolves, so it simply waits too.
   A graph already drawn redraws at once. */
(function () {
  "use strict";
  if (!("IntersectionObserver" in window) || !window.WeakMap) { return; }
  var waiting = new WeakMap();
  var react = null;
  var hasMap = false;  // whether window.Plotly came from #plotly-bundle-map

  function traces(args) {
    var data = args[1];  // react(gd, data, layout, config) or react(gd, {data: ...})
    if (data && !Array.isArray(data)) { data = data.data; }
    return Array.isArray(data) ? data : [];
  }

  // The smaller bundle draws nothing for a choropleth (and says nothing), and two plotly.js
  // instances on one page break each other's graphs: a page that needs the map after the
  // smaller bundle was loaded (a link followed inside the app) is loaded again, once, as
  // if the link had been an ordinary one, and then gets the bundle with the map.
  function reloadForMap(args) {
    if (hasMap || !window.Plotly) { return false; }
    var here = window.location.pathname;
    var listed = mapPages().indexOf(here) >= 0;
    if (!listed && !traces(args).some(function (t) { return t && t.type === "choropleth"; })) {
      return false;
    }
    try {
      if (window.sessionStorage.getItem(MAP_KEY) === here && !listed) { return false; }
      window.sessionStorage.setItem(MAP_KEY, here);
    } catch (e) {
      if (!listed) { return false; }  // could not remember it: no reload loop
    }
    window.location.reload();
    return true;
  }

  var seen = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) { return; }
      var gd = entry.target, job = waiting.get(gd);
      seen.unobserve(gd);
      waiting.delete(gd);
      if (job) { react.apply(window.Plotly, job.args).then(job.resolve, job.reject); }
    });
  }, { rootMargin: "200px 0px" });

  function lazyReact(gd) {
    if (reloadForMap(arguments)) { return new Promise(function () {}); }
    // (not in a side panel: a reader opened it to see its charts)
    var later = gd && !gd._fullLayout && gd.closest && gd.closest("[data-lazy-graph]") &&
      !gd.closest(".offcanvas");
    if (!later) { return react.apply(this, arguments); }
    var job = waiting.get(gd);
    if (job) { job.args = arguments; return job.promise; }  // the newest figure wins
    job = { args: arguments };
    job.promise = new Promise(function (resolve, reject) {
      job.resolve = resolve;
      job.reject = reject;
    });
    waiting.set(gd, job);
    seen.observe(gd);
    return job.promise;
  }

  var plotly;
  Object.defineProperty(window, "Plotly", {
    configurable: true,
    get: function () { return plotly; },
    set: function (value) {
      plotly = value;
      var map = document.getElementById("plotly-bundle-map"), script = document.currentScript;
      hasMap = !!(map && script && script.getAttribute("src") === map.getAttribute("src"));
      if (value && typeof value.react === "function" && value.react !== lazyReact) {
        react = value.react;
        value.react = lazyReact;
      }
    }
  });
})();
