/* Paste beside an embed's iframe: sizes each embed to its content (no scrollbar).
   Only messages from one of the page's own embed iframes are used. */
(function () {
  "use strict";
  if (window.__communityInsightsHost) { return; }
  window.__communityInsightsHost = true;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "community-insights:height") { return; }
    var height = Number(data.height);
    if (!isFinite(height)) { return; }
    var frames = document.querySelectorAll("iframe[data-ci-embed]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.max(80, Math.min(Math.round(height), 6000)) + "px";
      }
    }
  });
})();
