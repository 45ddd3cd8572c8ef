/* Tells the server how wide the screen is, in one word: the cookie `screen=narrow` while the
   window is narrower than Bootstrap's `sm` (576 px), so the charts it lays out next are built
   for a phone (question text wrapped to fit, no title over the card's heading; see
   dashboard/views.py screen_size). Runs before Dash asks for the page's layout. */
(function () {
  var phone = window.matchMedia("(max-width: 575.98px)");
  function tell() {
    document.cookie = "screen=" + (phone.matches ? "narrow" : "wide") +
      "; path=/; SameSite=Strict; max-age=31536000";
  }
  tell();
  if (phone.addEventListener) { phone.addEventListener("change", tell); }
})();
