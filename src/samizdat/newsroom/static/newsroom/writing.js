// The article body's word count and reading time, under the body, kept current as one types.
// Counts the words of the text (not its markup, photo placements or video addresses); the
// strings come from the admin's JavaScript catalogue (gettext), like Django's own.
"use strict";
(() => {
  const WORDS_PER_MINUTE = 200; // a news reader's pace in be/ru/en, rounded
  const NOT_WORDS = /\[photo\s+\d+\]|https?:\/\/\S+/g;
  const segmenter = typeof Intl.Segmenter === "function"
    ? new Intl.Segmenter(document.documentElement.lang || undefined, {granularity: "word"})
    : null;
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate
    || ((format, values) => format.replace(/%\((\w+)\)s/g, (_, key) => values[key]));

  function countWords(text) {
    text = text.replace(NOT_WORDS, " ");
    if (segmenter) {
      let words = 0;
      for (const piece of segmenter.segment(text)) if (piece.isWordLike) words += 1;
      return words;
    }
    return (text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) || []).length;
  }

  function textOfHtml(html) {
    // Blocks and line breaks separate words; a parsed, never attached document runs nothing.
    const doc = new DOMParser().parseFromString(html.replace(/</g, " <"), "text/html");
    return doc.body.textContent;
  }

  function describe(words) {
    const minutes = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
    const number = (n) => n.toLocaleString(document.documentElement.lang || undefined);
    return [
      interpolate(ngettext("%(words)s word", "%(words)s words", words),
                  {words: number(words)}, true),
      words ? interpolate(gettext("reading time %(minutes)s min"),
                          {minutes: number(minutes)}, true) : "",
    ].filter(Boolean).join(" · ");
  }

  // One line under the body, reading from the editor once it is there, else from the field.
  let line = null;
  let readText = null;
  let timer = null;
  const update = () => {
    timer = null;
    line.textContent = describe(countWords(readText()));
  };
  const later = () => { if (timer === null) timer = setTimeout(update, 250); };

  function mount(textarea, reader) {
    const row = textarea.closest(".form-row");
    if (!row) return;
    if (!line) {
      line = document.createElement("p");
      line.className = "desk-count help";
      line.id = "body-count";
      row.append(line);
    }
    readText = reader;
    update();
  }

  // The rich-text editor announces itself once built; its text is read from the document.
  document.addEventListener("prose-editor:ready", (event) => {
    const {editor, textarea} = event.detail;
    if (textarea.name !== "body" || !textarea.closest("#desk")) return;
    // The editable area is named by the field's label, as the textarea it stands for was.
    const label = document.querySelector(`label[for="${textarea.id}"]`);
    if (label) {
      label.id = label.id || `${textarea.id}_label`;
      editor.view.dom.setAttribute("aria-labelledby", label.id);
    }
    mount(textarea, () => editor.state.doc.textBetween(0, editor.state.doc.content.size,
                                                       "\n", " "));
    editor.on("update", later);
  });

  // Until then, or without it (it failed to load), the plain field is counted as typed in.
  document.addEventListener("DOMContentLoaded", () => {
    const textarea = document.querySelector("#desk textarea[name=body]");
    if (!textarea || line) return;
    mount(textarea, () => textOfHtml(textarea.value));
    textarea.addEventListener("input", later);
  });
})();
