// tarjama reader: runs once when the aligned view loads (gr.HTML js_on_load).
// `element` is the view's root, which survives re-renders of its content, so
// every listener is delegated from it. `trigger` sends an event to Python.
const rowOf = (node) => (node instanceof Element ? node.closest(".tj-row") : null);
let hovered = null;

function highlight(row) {
  if (row === hovered) return;
  if (hovered) hovered.classList.remove("tj-hl");
  hovered = row;
  if (row) row.classList.add("tj-hl");
}

element.addEventListener("mouseover", (event) => highlight(rowOf(event.target)));
element.addEventListener("mouseleave", () => highlight(null));
element.addEventListener("focusin", (event) => {
  highlight(rowOf(event.target));
  const cell = event.target.closest(".tj-en[contenteditable]");
  if (cell) cell.dataset.before = cell.innerText;
});

element.addEventListener("click", (event) => {
  const row = rowOf(event.target);
  if (!row) return;
  const wasPinned = row.classList.contains("tj-pinned");
  element.querySelectorAll(".tj-row.tj-pinned").forEach((r) => r.classList.remove("tj-pinned"));
  if (!wasPinned) row.classList.add("tj-pinned");
});

element.addEventListener("focusout", (event) => {
  const cell = event.target.closest(".tj-en[contenteditable]");
  if (!cell || cell.dataset.before === undefined) return;
  const text = cell.innerText.replace(/\s+/g, " ").trim();
  const before = cell.dataset.before.replace(/\s+/g, " ").trim();
  delete cell.dataset.before;
  if (!text) {
    cell.innerText = before;  // an emptied sentence is put back, not saved
    return;
  }
  if (text === before) return;
  cell.closest(".tj-row").classList.add("tj-edited");
  trigger("submit", { index: Number(cell.dataset.pair), text: text });
});

element.addEventListener("keydown", (event) => {
  const cell = event.target.closest(".tj-en[contenteditable]");
  if (!cell) return;
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    cell.blur();
  } else if (event.key === "Escape") {
    cell.innerText = cell.dataset.before ?? cell.innerText;
    cell.blur();
  }
});
