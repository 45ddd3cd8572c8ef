/* plotly.js on demand: the page's scripts leave our plotly.js bundle out, so a page
   without a chart (Methods, Present) never downloads or runs its 1.4 MB, and a page with
   charts lays out and paints its words before plotly.js is evaluated.

   dcc.Graph uses window.Plotly when a page has it; otherwise, when the first graph
   mounts, it adds a script tag for window._dashPlotlyJSURL (once) and waits for it. Dash's
   renderer points that address at the full 4.8 MB plotly.js it ships; ours is the
   explorer's partial bundle, named by the page in <script id="plotly-bundle"
   type="text/plain" src="..."> (a type the browser neither fetches nor runs; see
   dashboard/server.py), so the renderer's setting is ignored. */
(function () {
  "use strict";
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: true,
    get: function () {
      var tag = document.getElementById("plotly-bundle");
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
      if (value && typeof value.react === "function" && value.react !== lazyReact) {
        react = value.react;
        value.react = lazyReact;
      }
    }
  });
})();
