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

// Corrections sent and not yet confirmed, by sentence index: {cell, text, tries, timer}.
// A row shows "saving" until the server's status lists its text among the saved
// corrections (data-saved), is sent once more if no confirmation comes, and then
// says "not saved" rather than pretend.
const unconfirmed = new Map();
const CONFIRM_MS = 10000;
const squash = (text) => text.replace(/\s+/g, " ").trim();

function send(index, entry) {
  entry.tries += 1;
  clearTimeout(entry.timer);
  entry.timer = setTimeout(() => {
    if (unconfirmed.get(index) !== entry || !entry.cell.isConnected) return;  // confirmed, or a new document
    if (entry.tries < 2) {
      send(index, entry);
    } else {
      const row = entry.cell.closest(".tj-row");
      row.classList.remove("tj-saving");
      row.classList.add("tj-unsaved");
      row.title = "Not saved: the server did not confirm this correction. Edit the sentence again to retry.";
    }
  }, CONFIRM_MS);
  trigger("submit", { index: index, text: entry.text });
}

function confirmSaved(saved) {
  for (const [index, entry] of unconfirmed) {
    if (!entry.cell.isConnected) {
      clearTimeout(entry.timer);
      unconfirmed.delete(index);
    } else if (saved[index] !== undefined && squash(saved[index]) === entry.text) {
      clearTimeout(entry.timer);
      unconfirmed.delete(index);
      const row = entry.cell.closest(".tj-row");
      row.classList.remove("tj-saving", "tj-unsaved");
      row.classList.add("tj-edited");
      row.removeAttribute("title");
    }
  }
}

const statusBox = document.getElementById("tj-status");
if (statusBox) {
  new MutationObserver(() => {
    const holder = statusBox.querySelector("[data-saved]");
    if (holder) confirmSaved(JSON.parse(holder.dataset.saved));
  }).observe(statusBox, { childList: true, subtree: true, attributes: true, characterData: true });
}

element.addEventListener("focusout", (event) => {
  const cell = event.target.closest(".tj-en[contenteditable]");
  if (!cell || cell.dataset.before === undefined) return;
  const text = squash(cell.innerText);
  const before = squash(cell.dataset.before);
  delete cell.dataset.before;
  if (!text) {
    cell.innerText = before;  // an emptied sentence is put back, not saved
    return;
  }
  if (text === before) return;
  const index = Number(cell.dataset.pair);
  const row = cell.closest(".tj-row");
  row.classList.remove("tj-edited", "tj-unsaved");
  row.classList.add("tj-saving");
  clearTimeout(unconfirmed.get(index)?.timer);
  const entry = { cell: cell, text: text, tries: 0, timer: null };
  unconfirmed.set(index, entry);
  send(index, entry);
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
