// Comments, enhanced: replies open the form in place, and the anti-flood puzzle is solved
// here when the site asks for it. Everything works without this script, except the puzzle.
"use strict";
(() => {
  const form = document.getElementById("comment-form");
  if (!form) return;
  const parent = form.querySelector("input[name=parent]");
  const replying = form.querySelector(".replying");
  const home = form.parentElement;
  const anchor = form.nextSibling;

  document.addEventListener("click", (event) => {
    const reply = event.target.closest("a.reply");
    if (reply) {
      event.preventDefault();
      parent.value = reply.dataset.parent;
      replying.querySelector("strong").textContent = reply.dataset.name;
      replying.hidden = false;
      reply.closest(".comment").appendChild(form);
      form.querySelector("textarea").focus();
      return;
    }
    if (event.target.closest("a.cancel-reply")) {
      event.preventDefault();
      parent.value = "";
      replying.hidden = true;
      home.insertBefore(form, anchor);
    }
  });

  // Find n such that SHA-256("<puzzle>:<n>") starts with `bits` zero bits.
  const puzzle = form.querySelector("input[name=puzzle]");
  if (!puzzle || !window.crypto || !crypto.subtle) return;
  const answer = form.querySelector("input[name=answer]");
  const bits = Number(puzzle.dataset.bits);
  const solving = document.querySelector(".solving");
  const encoder = new TextEncoder();
  const zeroBits = (bytes) => {
    let count = 0;
    for (const byte of bytes) {
      if (byte === 0) { count += 8; continue; }
      return count + Math.clz32(byte) - 24;
    }
    return count;
  };
  (async () => {
    if (solving) solving.hidden = false;
    for (let n = 0; ; n += 1) {
      const digest = await crypto.subtle.digest("SHA-256", encoder.encode(`${puzzle.value}:${n}`));
      if (zeroBits(new Uint8Array(digest)) >= bits) {
        answer.value = String(n);
        break;
      }
    }
    form.submit();
  })();
})();
