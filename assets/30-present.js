/* Presentation mode (/present/<deck>): keyboard and click navigation, full screen,
   speaker notes, and progress for server-rendered PDF handouts. Acts only when a
   #present-deck or a .present-pdf link is on the page; does nothing elsewhere. */
(function () {
  "use strict";

  function deck() { return document.getElementById("present-deck"); }
  function slides(d) { return Array.prototype.slice.call(d.querySelectorAll(".present-slide")); }
  function currentIndex(d) {
    var all = slides(d);
    for (var i = 0; i < all.length; i++) { if (all[i].classList.contains("current")) { return i; } }
    return 0;
  }

  function show(d, i) {
    var all = slides(d);
    if (!all.length) { return; }
    i = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (s, j) {
      var on = j === i;
      s.classList.toggle("current", on);
      s.setAttribute("aria-hidden", on ? "false" : "true");
    });
    var counter = document.getElementById("slide-counter");
    if (counter) { counter.textContent = (i + 1) + " / " + all.length; }
    window.dispatchEvent(new Event("resize"));  // let the now-visible chart fit its box
  }

  function move(d, step) { show(d, currentIndex(d) + step); }

  function fullscreen(d) {
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (d.requestFullscreen) { d.requestFullscreen().catch(function () {}); }
  }

  function notes(d) {
    var on = d.classList.toggle("show-notes");
    var btn = document.getElementById("present-notes-toggle");
    if (btn) { btn.setAttribute("aria-pressed", on ? "true" : "false"); }
  }

  function typing(el) {
    if (!el) { return false; }
    var tag = (el.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (e) {
    var d = deck();
    if (!d || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) { return; }
    var handled = true;
    switch (e.key) {
      case "ArrowRight": case "ArrowDown": case "PageDown": case " ": move(d, 1); break;
      case "ArrowLeft": case "ArrowUp": case "PageUp": move(d, -1); break;
      case "Home": show(d, 0); break;
      case "End": show(d, slides(d).length - 1); break;
      case "f": case "F": fullscreen(d); break;
      case "n": case "N": notes(d); break;
      default: handled = false;
    }
    if (handled) { e.preventDefault(); }
  });

  document.addEventListener("click", function (e) {
    var d = deck();
    if (!d || !d.contains(e.target)) { return; }
    var control = e.target.closest("[data-present]");
    if (control) {
      var what = control.getAttribute("data-present");
      if (what === "next") { move(d, 1); }
      else if (what === "prev") { move(d, -1); }
      else if (what === "fullscreen") { fullscreen(d); }
      else if (what === "notes") { notes(d); }
      return;
    }
    if (e.target.closest("a, button, input, select, textarea, .present-bar")) { return; }
    var slide = e.target.closest(".present-slide");
    if (!slide) { return; }
    var box = slide.getBoundingClientRect();
    move(d, e.clientX < box.left + box.width / 4 ? -1 : 1);  // left quarter goes back
  });

  /* PDF handouts are rendered on the server (a few seconds per deck). The link gets a
     token; the server answers with a cookie carrying it, which ends the spinner. */
  document.addEventListener("click", function (e) {
    var link = e.target.closest("a.present-pdf");
    if (!link) { return; }
    var token = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
    var url = new URL(link.getAttribute("href"), window.location.href);
    url.searchParams.set("token", token);
    link.setAttribute("href", url.pathname + url.search);
    var box = link.parentElement.querySelector(".present-progress");
    if (!box) { return; }
    box.textContent = "Preparing the handout (" + link.getAttribute("data-slides") +
      " pages, about " + link.getAttribute("data-seconds") + " s)…";
    box.classList.add("busy");
    var started = Date.now();
    var timer = window.setInterval(function () {
      var done = document.cookie.indexOf("present_export=" + token) !== -1;
      if (done || Date.now() - started > 300000) {
        window.clearInterval(timer);
        box.classList.remove("busy");
        box.textContent = done ? "Handout downloaded." : "The handout is taking long; check your downloads.";
      }
    }, 400);
  });
})();
