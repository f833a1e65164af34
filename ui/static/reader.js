// tarjama reader: runs once when the aligned view loads (gr.HTML js_on_load).
// `element` is the view's root, which survives re-renders of its content, so
// every listener is delegated from it and view settings live on it.
// `trigger` sends an event to Python.
//
// The server renders the whole document when a translation starts, every row
// waiting. Then it sends patches (#tj-patch): only the rows that arrived, without
// their Arabic, which this script moves into place; the last one has every row.
const rowOf = (node) => (node instanceof Element ? node.closest(".tj-row") : null);
let hovered = null;

function highlight(row) {
  if (row === hovered) return;
  if (hovered) hovered.classList.remove("tj-hl");
  hovered = row;
  if (row) row.classList.add("tj-hl");
}

// ---- the document on screen, its rows by index, and the patches for it ----
// Gradio morphs the view's DOM into each new render, so a document is known by its
// data-doc id rather than by its element, and rows are looked up again when replaced.
let shownId = null;
let rows = [];
const applied = new Set(); // seq numbers of the streaming patches applied to the document shown
const waiting = []; // patches that arrived before their document

function indexRows(doc) {
  rows = [];
  if (doc) for (const row of doc.querySelectorAll(".tj-row")) rows[Number(row.dataset.pair)] = row;
}

function currentDoc() {
  const doc = element.querySelector(".tj-doc");
  const id = doc?.dataset.doc || null;
  if (id !== shownId) {
    shownId = id;
    indexRows(doc);
    hovered = null;
    onNewDocument(doc);
  }
  return doc;
}

function applyRow(fresh) {
  const index = Number(fresh.dataset.pair);
  if (!rows[index]?.isConnected) indexRows(element.querySelector(".tj-doc"));
  const row = rows[index];
  if (!row) return;
  const cell = row.querySelector(".tj-en");
  if (cell && cell === document.activeElement) return; // never overwrite what a person is typing
  const keep = ["tj-pinned", "tj-hl"].filter((name) => row.classList.contains(name));
  const hadFocus = row.contains(document.activeElement); // e.g. on ↺, which the patch replaces
  row.className = fresh.className;
  row.classList.add(...keep);
  for (const name of ["links", "sw"]) {
    if (fresh.dataset[name] === undefined) delete row.dataset[name];
    else row.dataset[name] = fresh.dataset[name];
  }
  const arabic = row.querySelector(".tj-ar");
  for (const child of [...row.children]) if (child !== arabic) child.remove();
  for (const child of [...fresh.children]) row.insertBefore(child, arabic);
  if (hadFocus) row.querySelector(".tj-num")?.focus({ preventScroll: true });
  if (row.classList.contains("tj-pinned")) row.querySelector(".tj-num")?.setAttribute("aria-pressed", "true");
}

function applyPatch(patch) {
  const doc = currentDoc();
  if (!doc || doc.dataset.doc !== patch.dataset.doc) {
    waiting.push(patch);
    if (waiting.length > 64) waiting.shift();
    return;
  }
  const seq = Number(patch.dataset.seq);
  if (seq > 0) {
    if (applied.has(seq)) return;
    applied.add(seq);
  }
  for (const fresh of [...patch.querySelectorAll(":scope > .tj-row")]) applyRow(fresh);
  // A stopped translation being finished is busy again until its last patch.
  doc.setAttribute("aria-busy", patch.dataset.final ? "false" : seq > 0 ? "true" : doc.getAttribute("aria-busy"));
}

function onNewDocument(doc) {
  applied.clear();
  if (!doc || !doc.dataset.doc) return;
  for (const patch of waiting.splice(0)) if (patch.dataset.doc === doc.dataset.doc) applyPatch(patch);
  syncTools();
  // A translation just started: bring the progress and the first rows into view (on a phone they
  // start well below the fold).
  if (doc.getAttribute("aria-busy") === "true" && element.getBoundingClientRect().top > window.innerHeight * 0.6) {
    bringToTop(document.getElementById("tj-status") || element);
  }
  // The keyboard follows: from the button that started it (now scrolled away) to the document, from
  // where Tab goes to the first sentence. Focus anywhere else (a sentence, a box being typed in) stays.
  const from = document.activeElement;
  if (!from || from === document.body || from.closest("#tj-translate, .gallery-item")) {
    doc.focus({ preventScroll: true });
    handedOver = true;
  }
}
let handedOver = false; // the document has the keyboard because a translation started, not from a click in it

// Paragraphs off screen are laid out only when near it (content-visibility), so the page is shorter
// than it will be and a scroll can stop short: scroll again, frame by frame, until the target is up.
function bringToTop(target, frames = 10) {
  requestAnimationFrame(() => {
    const before = window.scrollY;
    target.scrollIntoView({ block: "start" });
    if (frames > 1 && target.getBoundingClientRect().top > 1 && window.scrollY !== before) bringToTop(target, frames - 1);
  });
}

function restorePin() {
  const pinned = rows[Number(element.dataset.pinned)];
  if (element.dataset.pinned !== undefined && pinned?.isConnected && !pinned.classList.contains("tj-pinned")) {
    pin(pinned, true);
  }
}

new MutationObserver(() => {
  currentDoc();
  restorePin();
}).observe(element, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-doc"] });
currentDoc();

// The patch component (#tj-patch) renders nothing; its own script hands each new value over as an event.
document.addEventListener("tj-patch", (event) => {
  const template = document.createElement("template");
  template.innerHTML = event.detail;
  const patch = template.content.firstElementChild;
  if (patch?.matches(".tj-patch")) applyPatch(patch);
  else if (patch?.matches(".tj-alts")) showAlternatives(patch);
});

// ---- highlight and pin ----
element.addEventListener("mouseover", (event) => {
  const row = rowOf(event.target);
  highlight(row);
  if (row?.dataset.sw) arabicWords(row);
  lightWord(event.target.closest(".tj-w"));
});
element.addEventListener("mouseleave", () => {
  highlight(null);
  lightWord(null);
});

// ---- words: which Arabic word gave which English word ----
// A row with a word alignment carries data-links (Pharaoh "s-t" pairs: Arabic word - English
// word) and data-sw (each Arabic word's start:end, in code points). Its English words come as
// spans; its Arabic is wrapped into word spans only when first needed, so a long article carries
// no per-word markup for rows nobody points at.
const linksCache = new WeakMap();

function linksOf(row) {
  const text = row?.dataset.links;
  if (text === undefined) return null;
  let links = linksCache.get(row);
  if (links?.text !== text) {
    links = { text: text, toEnglish: new Map(), toArabic: new Map() };
    for (const item of text.split(" ")) {
      if (!item) continue;
      const [s, t] = item.split("-").map(Number);
      links.toEnglish.set(s, [...(links.toEnglish.get(s) || []), t]);
      links.toArabic.set(t, [...(links.toArabic.get(t) || []), s]);
    }
    linksCache.set(row, links);
  }
  return links;
}

function arabicWords(row) {
  const cell = row.querySelector(".tj-ar");
  if (!cell || !row.dataset.sw || cell.dataset.words === row.dataset.sw) return cell;
  const chars = Array.from(cell.textContent);
  const words = document.createDocumentFragment();
  let at = 0;
  row.dataset.sw.split(" ").forEach((span, k) => {
    const [start, end] = span.split(":").map(Number);
    words.append(chars.slice(at, start).join(""));
    const word = document.createElement("span");
    word.className = "tj-w";
    word.dataset.w = String(k);
    word.textContent = chars.slice(start, end).join("");
    words.append(word);
    at = end;
  });
  words.append(chars.slice(at).join(""));
  cell.replaceChildren(words);
  cell.dataset.words = row.dataset.sw;
  return cell;
}

let litWords = [];

function lightWord(word) {
  for (const lit of litWords) lit.classList.remove("tj-lit");
  litWords = [];
  const row = rowOf(word);
  const links = linksOf(row);
  if (!word || !links) return;
  const k = Number(word.dataset.w);
  const fromEnglish = Boolean(word.closest(".tj-en"));
  const partners = fromEnglish
    ? (links.toArabic.get(k) || []).map((s) => arabicWords(row)?.querySelector(`.tj-w[data-w="${s}"]`))
    : (links.toEnglish.get(k) || []).map((t) => row.querySelector(`.tj-en .tj-w[data-w="${t}"]`));
  litWords = [word, ...partners.filter(Boolean)];
  for (const lit of litWords) lit.classList.add("tj-lit");
}

// The keyboard: moving the caret through an English sentence lights each word and its Arabic.
function wordAtCaret() {
  const selection = window.getSelection();
  let node = selection?.anchorNode;
  if (node instanceof Element) node = node.childNodes[Math.max(0, selection.anchorOffset - 1)] || node; // the word before the caret
  const at = node instanceof Element ? node : node?.parentElement;
  if (!at || !element.contains(at) || !at.closest(".tj-en")) return undefined;
  return at.closest(".tj-w");
}

document.addEventListener("selectionchange", () => {
  const word = wordAtCaret();
  if (word !== undefined) lightWord(word);
});

function pin(row, on) {
  if (!row) return;
  for (const other of element.querySelectorAll(".tj-row.tj-pinned")) {
    other.classList.remove("tj-pinned");
    other.querySelector(".tj-num")?.setAttribute("aria-pressed", "false");
  }
  if (on) {
    row.classList.add("tj-pinned");
    row.querySelector(".tj-num")?.setAttribute("aria-pressed", "true");
    element.dataset.pinned = row.dataset.pair;
  } else {
    delete element.dataset.pinned;
  }
}

// ---- view tools: one language, sides swapped, copy the English ----
const LAYOUTS = { both: "", en: "tj-only-en", ar: "tj-only-ar" };

function syncTools() {
  const layout = element.dataset.layout || "both";
  for (const button of element.querySelectorAll(".tj-tools [data-tool]")) {
    const tool = button.dataset.tool;
    if (tool in LAYOUTS) button.setAttribute("aria-pressed", String(tool === layout));
    if (tool === "swap") button.setAttribute("aria-pressed", String(element.classList.contains("tj-swap")));
  }
}

function englishText() {
  const paragraphs = [];
  for (const section of element.querySelectorAll(".tj-para")) {
    const sentences = [...section.querySelectorAll(".tj-row:not(.tj-pending) .tj-en, .tj-untranslated")].map((item) =>
      item.matches(".tj-row") ? `[sentence ${Number(item.dataset.pair) + 1} not translated]` : item.textContent.trim(),
    );
    if (sentences.length) paragraphs.push(sentences.join(" "));
  }
  return paragraphs.join("\n\n");
}

async function copyEnglish(note) {
  const text = englishText();
  if (!text) {
    note.textContent = "Nothing translated yet.";
    return;
  }
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // The clipboard API needs a secure context (https or localhost); fall back to a selection copy.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  note.textContent = `Copied the English (${text.length.toLocaleString()} characters).`;
}

function useTool(button) {
  const tool = button.dataset.tool;
  if (tool in LAYOUTS) {
    element.classList.remove(...Object.values(LAYOUTS).filter(Boolean));
    if (LAYOUTS[tool]) element.classList.add(LAYOUTS[tool]);
    element.dataset.layout = tool;
  } else if (tool === "swap") {
    element.classList.toggle("tj-swap");
  } else if (tool === "copy") {
    copyEnglish(button.parentElement.querySelector(".tj-tool-note"));
  }
  syncTools();
}

// ---- corrections ----
// Sent and not yet confirmed, by sentence index: {cell, text, tries, timer}.
// A row shows "saving" until the server's status lists its text among the saved
// corrections (data-saved), is sent once more if no confirmation comes, and then
// says "not saved" rather than pretend.
const unconfirmed = new Map();
const CONFIRM_MS = 10000;
const squash = (text) => text.replace(/\s+/g, " ").trim();

function markUnsaved(row, why) {
  row.classList.remove("tj-saving");
  row.classList.add("tj-unsaved");
  row.title = why;
}

function send(index, entry) {
  entry.tries += 1;
  clearTimeout(entry.timer);
  entry.timer = setTimeout(() => {
    if (unconfirmed.get(index) !== entry || !entry.cell.isConnected) return; // confirmed, or a new document
    if (entry.tries < 2) {
      send(index, entry);
    } else {
      markUnsaved(entry.cell.closest(".tj-row"), "Not saved: the server did not confirm this correction. Edit the sentence again to retry.");
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
      if (!row.querySelector(".tj-revert")) {
        let marks = row.querySelector(".tj-marks");
        if (!marks) {
          marks = document.createElement("span");
          marks.className = "tj-marks";
          row.insertBefore(marks, row.querySelector(".tj-en")); // the marks come before the English (render.py)
        }
        const revert = document.createElement("button");
        revert.type = "button";
        revert.className = "tj-revert";
        revert.title = `Revert sentence ${index + 1} to the machine translation`;
        revert.textContent = "↺";
        marks.append(revert);
      }
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

function revert(row) {
  const index = Number(row.dataset.pair);
  clearTimeout(unconfirmed.get(index)?.timer);
  unconfirmed.delete(index);
  row.classList.add("tj-saving");
  // The server answers with a patch that replaces this row (and its classes).
  setTimeout(() => {
    if (row.isConnected && row.classList.contains("tj-saving")) markUnsaved(row, "Not reverted: the server did not answer. Try again.");
  }, CONFIRM_MS);
  trigger("submit", { index: index, revert: true });
}

element.addEventListener("click", (event) => {
  const tool = event.target instanceof Element ? event.target.closest(".tj-tools [data-tool]") : null;
  if (tool) {
    useTool(tool);
    return;
  }
  const row = rowOf(event.target);
  if (!row) return;
  if (event.target.closest(".tj-revert")) {
    revert(row);
    return;
  }
  pin(row, !row.classList.contains("tj-pinned"));
  const word = event.target.closest(".tj-en[contenteditable] .tj-w");
  if (word && window.getSelection()?.isCollapsed) askAlternatives(word, false);
});

function caretAtEnd(cell) {
  const range = document.createRange();
  range.selectNodeContents(cell);
  range.collapse(false);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

let pointerDown = false;
element.addEventListener("pointerdown", () => (pointerDown = true));
element.addEventListener("pointerup", () => setTimeout(() => (pointerDown = false)));

// What the keyboard reaches is shown whole: the row, and the reason line under a flagged sentence being
// edited (it appears as the sentence gets the focus, after the browser's own scroll); a tall row from its top.
function reveal(row) {
  requestAnimationFrame(() => {
    if (!row.isConnected) return;
    const box = row.getBoundingClientRect();
    const margin = 12;
    if (box.bottom > window.innerHeight - margin) {
      window.scrollBy(0, Math.min(box.bottom - window.innerHeight + margin, box.top - margin));
    } else if (box.top < margin) {
      window.scrollBy(0, box.top - margin);
    }
  });
}

// A ⚠'s reason is a popup beside it: placed so that it stays inside the document's column (whose
// containers clip what overflows them) and the window, whatever their width.
function placeReason(flag) {
  const holder = flag.offsetParent; // the marks (positioned), which the popup is placed in
  if (!holder) return;
  const column = (flag.closest(".tj-doc") || element).getBoundingClientRect();
  const start = Math.max(4, column.left);
  const end = Math.min(window.innerWidth - 4, column.right);
  const width = Math.min(340, end - start);
  const box = flag.getBoundingClientRect();
  const left = Math.max(start, Math.min(box.right - width, end - width));
  flag.style.setProperty("--tj-why-left", `${left - holder.getBoundingClientRect().left}px`);
  flag.style.setProperty("--tj-why-width", `${width}px`);
}

element.addEventListener("mouseover", (event) => {
  const flag = event.target instanceof Element ? event.target.closest(".tj-flag") : null;
  if (flag) placeReason(flag);
});

element.addEventListener("focusin", (event) => {
  const row = rowOf(event.target);
  highlight(row);
  if (event.target.matches(".tj-flag")) placeReason(event.target);
  const cell = event.target.closest(".tj-en[contenteditable]");
  if (cell) {
    // A flagged sentence being edited shows why under it (its ⚠ keeps the reason for hover and focus).
    const reason = row.querySelector(".tj-flag")?.dataset.reason;
    if (reason) row.dataset.why = reason;
    cell.dataset.before = cell.innerText;
    if (!pointerDown) caretAtEnd(cell); // a click puts the caret where it clicked; the keyboard, at the end
  }
  if (row && !pointerDown) reveal(row);
});

// Leaving or reloading the page with a sentence typed and not yet saved: the browser asks first.
window.addEventListener("beforeunload", (event) => {
  const cell = document.activeElement?.closest?.(".tj-en[contenteditable]");
  const typing = cell && cell.dataset.before !== undefined && squash(cell.innerText) !== squash(cell.dataset.before);
  const sending = [...unconfirmed.values()].some((entry) => entry.cell.isConnected);
  if (typing || sending) {
    event.preventDefault();
    event.returnValue = "";
  }
});

element.addEventListener("focusout", (event) => {
  const cell = event.target.closest(".tj-en[contenteditable]");
  if (cell) delete rowOf(cell).dataset.why;
  if (!cell || cell.dataset.before === undefined) return;
  const text = squash(cell.innerText);
  const before = squash(cell.dataset.before);
  delete cell.dataset.before;
  if (!text) {
    cell.innerText = before; // an emptied sentence is put back, not saved
    return;
  }
  if (text !== before) saveCorrection(cell, text);
});

function saveCorrection(cell, text) {
  const row = cell.closest(".tj-row");
  const index = Number(row.dataset.pair);
  row.classList.remove("tj-edited", "tj-unsaved");
  row.classList.add("tj-saving");
  clearTimeout(unconfirmed.get(index)?.timer);
  const entry = { cell: cell, text: text, tries: 0, timer: null };
  unconfirmed.set(index, entry);
  send(index, entry);
}

// Done editing: the focus moves to the row's number, so that it stays visible; Tab from there walks the
// row's marks (⚠, ↺) and comes back to its English.
function leave(cell) {
  const number = cell.closest(".tj-row")?.querySelector(".tj-num");
  if (number) number.focus({ preventScroll: true });
  else cell.blur();
}

// ---- walking the sentences by keyboard ----
// Tab and Shift+Tab in an English go to the next and the previous sentence's English, caret at the end
// (the focusin below puts it there), so that "End, Backspace, !, Tab" corrects one sentence after another.
// F8 and Shift+F8, anywhere on the page, go to the next and the previous sentence that needs a look:
// one with a check (⚠) or a low score, as in editors that walk their problems with F8.
const editable = () => [...element.querySelectorAll(".tj-en[contenteditable]")];
const needsLook = (row) => row.classList.contains("tj-flagged") || Boolean(row.querySelector(".tj-score-low"));

function goTo(cell) {
  cell.closest(".tj-row")?.scrollIntoView({ block: "nearest" });
  cell.focus({ preventScroll: true });
}

function nextSentence(cell, step) {
  const cells = editable();
  const to = cells[cells.indexOf(cell) + step];
  if (!to) return false; // the first or the last: Tab leaves the document as it would anyway
  goTo(to);
  return true;
}

function nextToLook(step) {
  const cells = editable().filter((cell) => needsLook(cell.closest(".tj-row")));
  const note = element.querySelector(".tj-tool-note");
  if (!cells.length) {
    if (note) note.textContent = editable().length ? "No sentence has a check or a low score." : "Nothing translated yet.";
    return;
  }
  const here = rowOf(document.activeElement);
  const at = here ? Number(here.dataset.pair) : step > 0 ? -1 : Infinity;
  const ahead = step > 0 ? cells.find((c) => Number(rowOf(c).dataset.pair) > at) : cells.findLast((c) => Number(rowOf(c).dataset.pair) < at);
  const to = ahead || (step > 0 ? cells[0] : cells[cells.length - 1]); // past the last, round to the first
  const again = ahead ? "" : step > 0 ? " (from the top again)" : " (from the end again)";
  if (note) note.textContent = `Sentence ${Number(rowOf(to).dataset.pair) + 1}: ${cells.indexOf(to) + 1} of ${cells.length} to look at${again}.`;
  goTo(to);
}

// Tab from the document itself, where Translate left the keyboard: its first sentence, past the view's tools.
// (A click on the Arabic focuses the document too: Tab then goes on from there, as the browser would.)
element.addEventListener("focusout", (event) => {
  if (event.target.matches?.(".tj-doc")) handedOver = false;
});
element.addEventListener("keydown", (event) => {
  if (event.key !== "Tab" || event.shiftKey || !handedOver || !event.target.matches?.(".tj-doc")) return;
  const first = editable()[0] || event.target.querySelector(".tj-row .tj-num");
  if (!first) return;
  event.preventDefault();
  goTo(first);
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "F8" || event.altKey || event.ctrlKey || event.metaKey || !element.querySelector(".tj-doc")) return;
  event.preventDefault();
  nextToLook(event.shiftKey ? -1 : 1);
});

element.addEventListener("keydown", (event) => {
  const cell = event.target.closest(".tj-en[contenteditable]");
  if (!cell) return;
  if (event.key === "Tab" && !event.altKey && !event.ctrlKey && !event.metaKey) {
    closeMenu(false);
    if (nextSentence(cell, event.shiftKey ? -1 : 1)) event.preventDefault();
  } else if (event.key === "ArrowDown" && event.altKey) {
    event.preventDefault();
    const word = wordAtCaret();
    if (menu?.tjCell === cell) menu.querySelector(".tj-alt")?.focus();
    else if (word && cell.contains(word)) askAlternatives(word, true);
  } else if (event.key === "Escape" && menu) {
    closeMenu(false); // the first Escape closes the menu; the next one cancels the edit
  } else if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    leave(cell);
  } else if (event.key === "Escape") {
    cell.innerText = cell.dataset.before ?? cell.innerText;
    leave(cell);
  }
});

// ---- alternatives: the model's other choices at an English word ----
// A click on an English word (or Alt+↓ with the caret in one) asks the server; its answer comes as a
// patch (.tj-alts) and shows as a menu under the word. Choosing one puts the whole sentence, as the
// model would go on from there, in place of the English, and saves it like a typed correction.
// Opened by a click, the menu leaves the keyboard in the sentence (a click is also how editing
// starts, and typing closes the menu); Alt+↓ moves into it.
let asked = null; // {doc, index, word, anchor}: the question awaiting an answer
let menu = null;

function askAlternatives(word, keyboard) {
  const row = rowOf(word);
  const doc = currentDoc();
  if (!row || !doc || row.classList.contains("tj-saving")) return;
  closeMenu(false);
  asked = {
    doc: doc.dataset.doc,
    index: Number(row.dataset.pair),
    word: Number(word.dataset.w),
    anchor: word,
    keyboard: keyboard,
  };
  trigger("option_select", { index: asked.index, word: asked.word });
}

function showAlternatives(answer) {
  const question = asked;
  if (
    !question ||
    answer.dataset.doc !== question.doc ||
    Number(answer.dataset.pair) !== question.index ||
    Number(answer.dataset.w) !== question.word
  ) {
    return;
  }
  asked = null;
  const anchor = question.anchor;
  if (!anchor.isConnected) return;
  closeMenu(false);
  menu = document.createElement("div");
  menu.className = "tj-menu";
  menu.setAttribute("role", "menu");
  menu.setAttribute("aria-label", `Alternatives for "${anchor.textContent}"`);
  menu.tjCell = anchor.closest(".tj-en");
  if (answer.dataset.error) {
    const note = document.createElement("p");
    note.className = "tj-menu-note";
    note.textContent = answer.dataset.error;
    menu.append(note);
  }
  for (const choice of [...answer.querySelectorAll(".tj-alt")]) {
    choice.tabIndex = -1;
    menu.append(choice);
  }
  const hint = document.createElement("p");
  hint.className = "tj-menu-note";
  hint.textContent = "↑↓ to move, Enter to choose, Esc to close";
  menu.append(hint);
  element.append(menu);
  const box = anchor.getBoundingClientRect();
  const width = Math.min(menu.offsetWidth, window.innerWidth - 16);
  menu.style.left = `${Math.max(8, Math.min(box.left, window.innerWidth - width - 8))}px`;
  const below = box.bottom + 4;
  menu.style.top = `${below + menu.offsetHeight > window.innerHeight ? Math.max(8, box.top - menu.offsetHeight - 4) : below}px`;
  if (question.keyboard && document.activeElement === menu.tjCell) menu.querySelector(".tj-alt")?.focus();
}

function closeMenu(refocus) {
  asked = refocus === "typing" ? null : asked;
  if (!menu) return;
  const cell = menu.tjCell;
  menu.remove();
  menu = null;
  if (refocus === true && cell?.isConnected) cell.focus();
}

function choose(choice) {
  const cell = menu?.tjCell;
  const text = squash(choice.dataset.text || "");
  closeMenu(false);
  if (!cell?.isConnected || !text) return;
  const before = squash(cell.innerText);
  cell.innerText = text;
  if (text !== before) saveCorrection(cell, text);
  leave(cell);
}

element.addEventListener("click", (event) => {
  const choice = event.target instanceof Element ? event.target.closest(".tj-menu .tj-alt") : null;
  if (choice) choose(choice);
  else if (menu && !(event.target instanceof Element && event.target.closest(".tj-menu"))) {
    if (!event.target.closest?.(".tj-w")) closeMenu(false);
  }
});
element.addEventListener("keydown", (event) => {
  if (!menu || !menu.contains(event.target)) return;
  const choices = [...menu.querySelectorAll(".tj-alt")];
  const at = choices.indexOf(event.target);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : -1;
    choices[(at + step + choices.length) % choices.length]?.focus();
  } else if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation();
    closeMenu(true);
  } else if (event.key === "Tab") {
    closeMenu(false);
  }
});
element.addEventListener("input", (event) => {
  if (event.target.closest?.(".tj-en")) closeMenu("typing"); // typing is its own answer
});
window.addEventListener("scroll", () => closeMenu(false), { passive: true });
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && menu && !menu.contains(event.target)) closeMenu(false);
});

// ---- glossary: select Arabic words, press "Add to glossary", type the English ----
let adder = null;

function arabicSelection() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  const from = range.startContainer instanceof Element ? range.startContainer : range.startContainer.parentElement;
  const to = range.endContainer instanceof Element ? range.endContainer : range.endContainer.parentElement;
  const cell = from?.closest(".tj-ar");
  if (!cell || !element.contains(cell) || to?.closest(".tj-ar") !== cell) return null;
  // A name at the end of a sentence is selected with its full stop (or in its quotes): not part of the name.
  const text = squash(selection.toString()).replace(/^[\p{P}\p{S}\p{Z}]+|[\p{P}\p{S}\p{Z}]+$/gu, "");
  return text ? { text: text, range: range } : null;
}

function offerGlossary() {
  const found = arabicSelection();
  if (!found || !document.querySelector("#tj-scope [data-glossary='editable']")) {
    adder?.remove();
    adder = null;
    return;
  }
  if (!adder) {
    adder = document.createElement("button");
    adder.type = "button";
    adder.className = "tj-add-term";
    adder.textContent = "+ Add to glossary";
    adder.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    adder.addEventListener("click", () => {
      const chosen = arabicSelection();
      adder?.remove();
      adder = null;
      if (chosen) {
        glossaryFrom = chosen.range.startContainer.parentElement?.closest(".tj-row")?.dataset.pair ?? null;
        fillGlossary(chosen.text);
      }
    });
    element.append(adder);
  }
  adder.dataset.text = found.text;
  const box = found.range.getBoundingClientRect();
  adder.style.left = `${Math.max(8, Math.min(box.left, window.innerWidth - 180))}px`;
  adder.style.top = `${box.bottom + 6}px`;
}

let refill = null; // the pending check that a just-opened panel kept the Arabic it was given
let glossaryFrom = null; // the sentence a term was taken from: the reader goes back to it once the term is added

function backToReading() {
  const row = glossaryFrom === null ? null : element.querySelector(`.tj-row[data-pair="${glossaryFrom}"]`);
  glossaryFrom = null;
  row?.scrollIntoView({ block: "center" });
}

function fillGlossary(text, tries = 20) {
  clearTimeout(refill);
  const arabic = document.querySelector("#tj-term-ar textarea, #tj-term-ar input");
  const english = document.querySelector("#tj-term-en textarea, #tj-term-en input");
  if (!arabic || !english || !arabic.offsetParent) {
    // The glossary panel is closed: open it, and fill it once it is shown.
    const toggle = document.querySelector("#tj-glossary-panel > button, #tj-glossary-panel .label-wrap");
    if (tries === 20) toggle?.click();
    if (tries > 0) setTimeout(() => fillGlossary(text, tries - 1), 50);
    return;
  }
  if (arabic.value !== text) {
    arabic.value = text;
    arabic.dispatchEvent(new Event("input", { bubbles: true }));
  }
  english.scrollIntoView({ block: "center" });
  if (document.activeElement !== english) english.focus();
  // A panel just opened may still be setting up its boxes and reset the value: check once it has settled,
  // unless the person has gone on (typed the English, added the term), after which the boxes are theirs.
  if (tries > 0) refill = setTimeout(() => arabic.isConnected && arabic.value !== text && fillGlossary(text, tries - 1), 150);
}

document.addEventListener("input", (event) => {
  if (event.target instanceof Element && event.target.closest("#tj-term-en")) clearTimeout(refill);
});
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("#tj-term-add")) {
    clearTimeout(refill);
    backToReading();
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target instanceof Element && event.target.closest("#tj-term-en")) backToReading();
});

element.addEventListener("mouseup", () => setTimeout(offerGlossary));
element.addEventListener("keyup", (event) => {
  if (event.shiftKey || event.key === "Shift") offerGlossary();
});
document.addEventListener("selectionchange", () => {
  if (adder && !arabicSelection()) {
    adder.remove();
    adder = null;
  }
});
