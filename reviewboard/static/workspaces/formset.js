// "Add a section" / "Add a reference": copy the formset's empty form and count it in TOTAL_FORMS.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-form]");
  if (!button) return;
  const prefix = button.dataset.addForm;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.getElementById(`${prefix}-template`);
  const list = document.querySelector(`[data-formset="${prefix}"]`);
  if (!total || !template || !list) return;
  const index = Number(total.value);
  const html = template.innerHTML.replaceAll("__prefix__", String(index)).replace(/\bnew\b/, String(index + 1));
  list.insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
  const first = list.lastElementChild && list.lastElementChild.querySelector("input, textarea, select");
  if (first) first.focus();
});
