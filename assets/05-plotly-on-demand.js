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
