// The "someone else is editing" note of an article's change form, kept current: the page
// reports that it is still open every data-every seconds and shows who else has it open.
// The note is rendered by the server; without this script it shows who was there at load.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("article-presence");
  const token = document.querySelector("#article_form input[name=csrfmiddlewaretoken]");
  if (!box || !token) return;
  const list = box.querySelector("ul");
  const every = Math.max(10, Number(box.dataset.every) || 30) * 1000;
  const beat = async () => {
    let answer;
    try {
      const response = await fetch(box.dataset.url, {
        method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token.value},
      });
      if (!response.ok) return;
      answer = await response.json();
    } catch {
      return; // offline for a moment: the next beat tries again
    }
    list.replaceChildren(...answer.editors.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    box.hidden = answer.editors.length === 0;
  };
  beat();
  setInterval(beat, every);
});
