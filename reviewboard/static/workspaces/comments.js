// Comments on a selection: when words are selected inside one paragraph, a button appears by them; it opens
// that paragraph's comment form with the words as its passage. The forms work without this script.
(function () {
  "use strict";
  function init() {
    var root = document.querySelector("[data-commented]");
    var holder = root && root.querySelector("[data-selection-button]");
    if (!holder) return;
    var button = holder.querySelector("button");
    var pending = null;

    function passageOf(node) {
      var element = node && (node.nodeType === 1 ? node : node.parentElement);
      return element ? element.closest("[data-passage]") : null;
    }

    function hide() { holder.hidden = true; pending = null; }

    function onSelection() {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) { hide(); return; }
      var words = selection.toString().replace(/\s+/g, " ").trim();
      var start = passageOf(selection.anchorNode);
      if (!words || !start || start !== passageOf(selection.focusNode)) { hide(); return; }
      var rect = selection.getRangeAt(0).getBoundingClientRect();
      var box = root.getBoundingClientRect();
      pending = { passage: start.getAttribute("data-passage"), words: words };
      holder.hidden = false;
      holder.style.top = (rect.bottom - box.top + 6) + "px";
      holder.style.left = Math.max(0, Math.min(rect.left - box.left, box.width - holder.offsetWidth)) + "px";
    }

    document.addEventListener("mouseup", function () { window.setTimeout(onSelection, 0); });
    document.addEventListener("keyup", function (event) { if (event.shiftKey) onSelection(); });
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      if (!pending) return;
      var form = root.querySelector('[data-comment-form="' + pending.passage + '"]');
      if (!form) return;
      form.open = true;
      form.querySelector("textarea[name=quote]").value = pending.words;
      hide();
      var body = form.querySelector("textarea[name=body]");
      body.focus();
      form.scrollIntoView({ block: "nearest" });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
