// The audience switch without a reload: the page holds every audience's summary and passages, and shows those of
// the <article>'s data-audience (site.css). A click changes it in place, so the reader keeps their place, and
// remembers the choice in the same cookie the server reads. Without script, the form reloads the page.
(function () {
  "use strict";
  var COOKIE = "audience";
  var MAX_AGE = 365 * 24 * 60 * 60;

  function choose(article, form, value) {
    article.setAttribute("data-audience", value);
    form.querySelectorAll("button[name='audience']").forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === value ? "true" : "false");
    });
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + encodeURIComponent(value) + "; Max-Age=" + MAX_AGE + "; Path=/; SameSite=Lax" + secure;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var article = document.querySelector("article[data-audience]");
    var form = document.querySelector("form.audience-switch");
    if (!article || !form) return;
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[name='audience']");
      if (!button) return;
      event.preventDefault();
      var top = button.getBoundingClientRect().top;
      choose(article, form, button.value);
      // The summary above may change length: keep the button where the reader's eye is.
      window.scrollBy(0, button.getBoundingClientRect().top - top);
    });
  });
})();
