// The moderation queue by keyboard: j/k move, x selects, a/r/s act on the current comment.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const items = [...document.querySelectorAll(".queue-item")];
  if (!items.length) return;
  let current = 0;
  const focus = (index) => {
    current = Math.max(0, Math.min(items.length - 1, index));
    items[current].focus();
  };
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input[type=text], textarea, select") || event.ctrlKey ||
        event.metaKey || event.altKey) return;
    const item = items[current];
    if (event.key === "j") focus(current + 1);
    else if (event.key === "k") focus(current - 1);
    else if (event.key === "x") item.querySelector("input[type=checkbox]").click();
    else {
      const button = item.querySelector(`button[data-key="${event.key}"]`);
      if (!button) return;
      button.click();
    }
    event.preventDefault();
  });
  items.forEach((item, index) => item.addEventListener("focus", () => { current = index; }));
  focus(0);
});
