// The author's editor, enhanced: the error summary's links focus their field; sections and references are added,
// moved (drag, or buttons for the keyboard) and removed in place, references' citations renumbered with them; a
// citation picker inserts [n]; a live preview renders through the server's reader renderer; the draft saves
// itself. Without this script the same form works: order numbers, "Delete" boxes, "Add" reloads the page.
(() => {
  "use strict";

  // The error summary (any page): focused on arrival, and each link moves the focus to its field.
  function focusTarget(id) {
    const target = document.getElementById(id);
    if (!target) return false;
    const field = target.matches("input, select, textarea")
      ? target
      : [...target.querySelectorAll("input:not([type=hidden]), select, textarea")].find((e) => e.checkVisibility()) || target;
    const label = field.id && document.querySelector(`label[for="${field.id}"]`);
    (label || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-error-summary] a[href^='#'], .save-state a[href^='#']");
    if (link && focusTarget(link.getAttribute("href").slice(1))) event.preventDefault();
  });
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  const form = document.getElementById("editor-form");
  if (!form) return;

  const csrf = () => form.querySelector("[name=csrfmiddlewaretoken]").value;
  const lists = {};
  for (const prefix of ["sections", "references"]) {
    lists[prefix] = form.querySelector(`[data-formset="${prefix}"]`);
  }
  const items = (prefix) => [...lists[prefix].querySelectorAll(":scope > [data-item]")];
  const kept = (prefix) => items(prefix).filter((item) => !item.hasAttribute("data-removed"));
  const field = (item, name) => item.querySelector(`[name$="-${name}"]`);
  const announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  form.append(announcer);
  const announce = (text) => { announcer.textContent = text; };

  // Citations in the text are [n] or [n, m]; a link's [text](...) is not one (articles.rendering.CITATION).
  const CITATION = /\[(\d+(?:\s*,\s*\d+)*)\](?!\()/g;
  const citingFields = () => form.querySelectorAll("textarea[data-cite], textarea[name=summary_patient], textarea[name=summary_professional]");

  function renumberCitations(numbers) {
    const moved = [...numbers].some(([from, to]) => from !== to);
    if (!moved) return;
    for (const textarea of citingFields()) {
      const renumbered = textarea.value.replace(CITATION, (_, list) =>
        `[${list.split(",").map((n) => numbers.get(Number(n.trim())) ?? Number(n.trim())).join(", ")}]`);
      if (renumbered !== textarea.value) textarea.value = renumbered;
    }
  }

  // Number the items as they stand: their order on save, their labels, and for references the citations.
  function renumber(prefix) {
    const all = items(prefix);
    const present = kept(prefix);
    present.forEach((item, index) => {
      field(item, "ORDER").value = String(index + 1);
      item.querySelectorAll("[data-item-number]").forEach((span) => { span.textContent = String(index + 1); });
    });
    all.filter((item) => item.hasAttribute("data-removed")).forEach((item) => { field(item, "ORDER").value = ""; });
    if (prefix !== "references") return;
    const numbers = new Map();
    present.forEach((item, index) => numbers.set(Number(field(item, "cited_as").value), index + 1));
    let pastEnd = present.length;
    for (const item of all.filter((i) => i.hasAttribute("data-removed"))) {
      const citedAs = Number(field(item, "cited_as").value);
      if (!numbers.has(citedAs)) numbers.set(citedAs, ++pastEnd);
    }
    renumberCitations(numbers);
    for (const item of all) field(item, "cited_as").value = String(numbers.get(Number(field(item, "cited_as").value)));
  }

  function changed() {
    form.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Add: a copy of the formset's empty form, counted in TOTAL_FORMS.
  function add(prefix, kind) {
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const template = document.getElementById(`${prefix}-template`);
    const index = Number(total.value);
    lists[prefix].insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", String(index)));
    total.value = String(index + 1);
    const item = lists[prefix].lastElementChild;
    if (prefix === "references") field(item, "cited_as").value = String(kept(prefix).length);
    if (kind) field(item, "kind").value = kind;
    enhance(item);
    renumber(prefix);
    const first = kind ? field(item, "title") : item.querySelector("input:not([type=hidden]), textarea, select");
    first.focus();
    announce(`${prefix === "sections" ? "Section" : "Reference"} ${kept(prefix).length} added.`);
  }

  function move(item, offset) {
    const prefix = item.parentElement.dataset.formset;
    const siblings = kept(prefix);
    const from = siblings.indexOf(item);
    const to = from + offset;
    if (to < 0 || to >= siblings.length) return;
    const focused = document.activeElement;
    if (offset < 0) siblings[to].before(item);
    else siblings[to].after(item);
    renumber(prefix);
    if (focused && item.contains(focused)) focused.focus();
    announce(`Moved to position ${to + 1} of ${siblings.length}.`);
    changed();
  }

  function setRemoved(item, removed, { quiet = false } = {}) {
    const prefix = item.parentElement.dataset.formset;
    const box = field(item, "DELETE");
    box.checked = removed;
    item.toggleAttribute("data-removed", removed);
    item.querySelector(".formset-item__body").hidden = removed;
    item.querySelector(".item-controls").hidden = removed;
    item.querySelector(".removed-note").hidden = !removed;
    renumber(prefix);
    if (quiet) return;
    item.querySelector(removed ? "[data-restore]" : "[data-remove]").focus();
    announce(removed ? "Removed; it goes when the draft is saved." : "Restored.");
    changed();
  }

  // Drag by the handle (mouse, pen or finger): the item follows the pointer among its siblings.
  function enhance(item) {
    const handle = item.querySelector(".drag-handle");
    handle.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      event.preventDefault();
      // Listened to on the document: moving the item in the page ends any pointer capture on its handle.
      item.classList.add("is-dragged");
      const list = item.parentElement;
      const follow = (moveEvent) => {
        const over = document.elementFromPoint(moveEvent.clientX, moveEvent.clientY);
        const target = over && over.closest("[data-item]");
        if (!target || target === item || target.parentElement !== list || target.hasAttribute("data-removed")) return;
        const box = target.getBoundingClientRect();
        if (moveEvent.clientY < box.top + box.height / 2) target.before(item);
        else target.after(item);
      };
      const drop = () => {
        document.removeEventListener("pointermove", follow);
        document.removeEventListener("pointerup", drop);
        document.removeEventListener("pointercancel", drop);
        item.classList.remove("is-dragged");
        renumber(list.dataset.formset);
        announce(`Moved to position ${kept(list.dataset.formset).indexOf(item) + 1}.`);
        changed();
      };
      document.addEventListener("pointermove", follow);
      document.addEventListener("pointerup", drop);
      document.addEventListener("pointercancel", drop);
    });
    for (const textarea of item.querySelectorAll("textarea[data-cite]")) addCitationPicker(textarea);
  }

  // The citation picker: the reference list as buttons; a choice inserts [n] where the caret is.
  function referenceChoices() {
    return kept("references").map((item, index) => ({
      number: index + 1,
      title: field(item, "title").value.trim() || "(no title yet)",
    }));
  }

  function addCitationPicker(textarea) {
    const wrapper = document.createElement("div");
    wrapper.className = "cite-picker";
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button--secondary button--small";
    toggle.textContent = "Insert a citation";
    toggle.setAttribute("aria-expanded", "false");
    const menu = document.createElement("div");
    menu.className = "cite-picker__menu";
    menu.hidden = true;
    menu.id = `${textarea.id}-cite-menu`;
    toggle.setAttribute("aria-controls", menu.id);
    wrapper.append(toggle, menu);
    textarea.after(wrapper);

    let caret = null;
    const close = (refocus) => {
      menu.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      if (refocus) toggle.focus();
    };
    textarea.addEventListener("blur", () => { caret = [textarea.selectionStart, textarea.selectionEnd]; });
    toggle.addEventListener("click", () => {
      if (!menu.hidden) return close(false);
      const choices = referenceChoices();
      menu.replaceChildren();
      if (!choices.length) {
        const empty = document.createElement("p");
        empty.textContent = "Add a reference first.";
        menu.append(empty);
      }
      for (const choice of choices) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "cite-picker__choice";
        button.dataset.number = String(choice.number);
        button.textContent = `[${choice.number}] ${choice.title}`;
        menu.append(button);
      }
      menu.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      const first = menu.querySelector("button");
      if (first) first.focus();
    });
    menu.addEventListener("click", (event) => {
      const choice = event.target.closest(".cite-picker__choice");
      if (!choice) return;
      const [start, end] = caret || [textarea.value.length, textarea.value.length];
      const before = textarea.value.slice(0, start);
      const citation = `${/\S$/.test(before) ? " " : ""}[${choice.dataset.number}]`;
      textarea.setRangeText(citation, start, end, "end");
      close(false);
      textarea.focus();
      changed();
    });
    menu.addEventListener("keydown", (event) => {
      const buttons = [...menu.querySelectorAll("button")];
      const at = buttons.indexOf(document.activeElement);
      if (event.key === "Escape") { event.preventDefault(); close(true); }
      else if (event.key === "ArrowDown" && buttons.length) { event.preventDefault(); buttons[(at + 1) % buttons.length].focus(); }
      else if (event.key === "ArrowUp" && buttons.length) { event.preventDefault(); buttons[(at - 1 + buttons.length) % buttons.length].focus(); }
    });
  }

  form.addEventListener("click", (event) => {
    const adder = event.target.closest("[data-add-form]");
    if (adder) { event.preventDefault(); add(adder.dataset.addForm, adder.dataset.kind); changed(); return; }
    const item = event.target.closest("[data-item]");
    if (!item) return;
    if (event.target.closest("[data-move=up]")) move(item, -1);
    else if (event.target.closest("[data-move=down]")) move(item, 1);
    else if (event.target.closest("[data-remove]")) setRemoved(item, true);
    else if (event.target.closest("[data-restore]")) setRemoved(item, false);
  });

  for (const prefix of Object.keys(lists)) {
    for (const item of items(prefix)) {
      enhance(item);
      if (field(item, "DELETE").checked) setRemoved(item, true, { quiet: true });
    }
    for (const [index, item] of items(prefix).entries()) {
      if (prefix === "references" && !field(item, "cited_as").value) field(item, "cited_as").value = String(index + 1);
    }
    renumber(prefix);
  }

  // The live preview: the server renders the unsaved content with the reader page's renderer.
  const preview = document.querySelector("[data-live-preview]");
  let previewTimer = null;
  let previewAbort = null;
  async function refreshPreview() {
    if (previewAbort) previewAbort.abort();
    previewAbort = new AbortController();
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST", body: new FormData(form), signal: previewAbort.signal,
        headers: { "X-CSRFToken": csrf() }, credentials: "same-origin",
      });
      if (response.ok) {
        preview.innerHTML = await response.text();  // the server's sanitised rendering (articles.rendering)
        preview.dataset.rendered = String(Date.now());
      }
    } catch (error) {
      if (error.name !== "AbortError") preview.dataset.failed = "true";
    }
  }

  // Autosave: after a pause in typing (and at least every 20 s while typing), and when the page is left.
  const state = form.querySelector("[data-save-state]");
  let dirty = false;
  let saveTimer = null;
  let firstUnsaved = null;
  let saving = null;
  const PAUSE_MS = 1500;
  const MAX_WAIT_MS = 20000;

  function showState(text, kind, errors) {
    state.dataset.state = kind;
    state.replaceChildren(document.createTextNode(text));
    if (errors && errors.length) {
      const link = document.createElement("a");
      link.href = `#${errors[0].target}`;
      link.textContent = errors[0].message;
      state.append(" ", link);
    }
  }

  function autosave({ keepalive = false } = {}) {
    if (!dirty || saving) return saving;
    dirty = false;
    firstUnsaved = null;
    showState("Saving…", "saving");
    const body = new FormData(form);
    body.delete("then");
    saving = save(body, keepalive).finally(() => {
      saving = null;
      if (dirty) schedule();
    });
    return saving;
  }

  async function save(body, keepalive) {
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body, keepalive, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
      });
      const answer = await response.json();
      if (answer.status === "saved") {
        const problems = answer.problems
          ? ` ${answer.problems} ${answer.problems === 1 ? "thing" : "things"} to fix before you can submit.` : "";
        showState(`Saved at ${answer.saved_at} (revision ${answer.revision}).${problems}`, "saved");
        if (answer.edit_url) {
          form.action = answer.edit_url;
          form.dataset.autosaveUrl = answer.autosave_url;
          history.replaceState(null, "", answer.edit_url);
        }
      } else if (answer.status === "invalid") {
        showState("Not saved yet:", "error", answer.errors);
      } else {
        showState(answer.message || "Not saved yet.", answer.status === "locked" ? "error" : "waiting");
      }
    } catch (error) {
      dirty = true;
      showState("Not saved: the connection failed. It is tried again as you type.", "error");
    }
  }

  function schedule() {
    clearTimeout(saveTimer);
    const waited = firstUnsaved ? Date.now() - firstUnsaved : 0;
    saveTimer = setTimeout(autosave, Math.max(0, Math.min(PAUSE_MS, MAX_WAIT_MS - waited)));
  }

  form.addEventListener("input", () => {
    dirty = true;
    if (!firstUnsaved) firstUnsaved = Date.now();
    showState("Unsaved changes", "dirty");
    schedule();
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 400);
  });
  form.addEventListener("change", () => form.dispatchEvent(new Event("input")));
  form.addEventListener("submit", (event) => {
    clearTimeout(saveTimer);
    if (saving) {
      // A save in flight may create the article: submit once it is done, to its address (never a second one).
      event.preventDefault();
      const submitter = event.submitter;
      saving.then(() => form.requestSubmit(submitter));
      return;
    }
    dirty = false;
  });
  window.addEventListener("pagehide", () => autosave({ keepalive: true }));
  form.dataset.enhanced = "true";
  if (!preview.dataset.rendered && preview.textContent.trim() === "") refreshPreview();
})();
