// A reference from a pasted DOI, PMID, BibTeX or RIS record: the server parses it or looks it up (a Celery task,
// polled here), then a new reference of its kind is added through the editor's own "Add" button and filled in.
// Without script the box stays hidden: references are typed in as ever.
(function () {
  "use strict";
  var FIELDS = ["title", "authors", "source", "year", "volume", "issue", "pages", "doi", "pmid", "url"];

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-reference-import]");
    if (!box) return;
    box.hidden = false;
    var form = box.closest("form");
    var input = box.querySelector("textarea");
    var message = box.querySelector("#reference-import-message");
    var button = box.querySelector("[data-reference-import-go]");

    function say(text) { message.textContent = text; }

    function fill(reference) {
      var adder = form.querySelector("[data-add-form=references][data-kind='" + (reference.kind || "research") + "']");
      adder.click();
      var items = form.querySelectorAll("[data-formset=references] [data-item]");
      var item = items[items.length - 1];
      FIELDS.forEach(function (name) {
        var field = item.querySelector("[name$='-" + name + "']");
        if (field && reference[name] !== undefined && reference[name] !== null) field.value = String(reference[name]);
      });
      form.dispatchEvent(new Event("input", { bubbles: true }));
      input.value = "";
      say("Reference filled in: check it, then save.");
    }

    function answer(response) {
      return response.json().then(function (data) {
        if (data.status === "done") return fill(data.reference);
        if (data.status === "pending") {
          say("Looking it up…");
          return new Promise(function (resolve) { setTimeout(resolve, 1000); })
            .then(function () { return fetch(data.poll, { credentials: "same-origin" }); })
            .then(answer);
        }
        say(data.message || "This could not be read.");
      });
    }

    button.addEventListener("click", function () {
      var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
      var body = new URLSearchParams({ pasted: input.value });
      say("Reading…");
      fetch(box.dataset.referenceImport, {
        method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": token },
      }).then(answer).catch(function () { say("The lookup could not be reached; try again."); });
    });
  });
})();
