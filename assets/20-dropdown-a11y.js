/* Dash 4's dcc.Dropdown puts a hidden focus proxy in front of its button
   (<input class="dash-dropdown-focus-target" tabindex="0" aria-hidden="true">, the button
   itself tabindex="-1"), and a clear-selection <a aria-label> with no role inside that
   button. axe-core reports both as serious: a focusable element hidden from screen
   readers (aria-hidden-focus), and an ARIA attribute its element may not have
   (aria-allowed-attr). Until Dash changes the component, the button itself is the
   control the keyboard reaches (Tab, then Enter or Space opens it, as a native button),
   the proxy leaves the tab order, and the clear icon keeps only its tooltip (the list's
   own options clear a choice from the keyboard). tests/pages/test_axe.py and the
   keyboard test in tests/pages/test_accessibility.py hold this. */
(function () {
  "use strict";

  function mend(root) {
    root.querySelectorAll(".dash-dropdown-focus-target[aria-hidden='true']").forEach(function (proxy) {
      // only what differs: an unchanged setAttribute still wakes the observer below
      if (proxy.getAttribute("tabindex") !== "-1") { proxy.setAttribute("tabindex", "-1"); }
      var button = proxy.parentNode && proxy.parentNode.querySelector("button.dash-dropdown");
      if (button && button.getAttribute("tabindex") === "-1") { button.setAttribute("tabindex", "0"); }
    });
    root.querySelectorAll("a.dash-dropdown-clear[aria-label]").forEach(function (clear) {
      clear.removeAttribute("aria-label");
    });
  }

  function start() {
    mend(document);
    new MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        if (changes[i].addedNodes.length || changes[i].type === "attributes") { mend(document); return; }
      }
    }).observe(document.body, { childList: true, subtree: true, attributes: true,
                                attributeFilter: ["tabindex", "aria-label"] });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
