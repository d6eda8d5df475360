// Autosave of an unpublished article's text (newsroom/autosave.py): every data-autosave-every
// seconds, and when the tab is hidden, the headline, lead and body go to the staff member's
// own autosave if they changed; the article itself is not touched. A form reopened with an
// autosaved text that differs offers it back; restoring it also restores the version it was
// typed against, so a save made by someone else since is shown as a conflict, not overwritten.
"use strict";
(() => {
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate
    || ((format, values) => format.replace(/%\((\w+)\)s/g, (_, key) => values[key]));
  let editor = null;
  let ready = null; // called once the rich-text editor has written its form of the text

  document.addEventListener("prose-editor:ready", (event) => {
    if (event.detail.textarea.name !== "body") return;
    editor = event.detail.editor;
    if (ready) ready();
  });

  document.addEventListener("DOMContentLoaded", () => {
    const desk = document.getElementById("desk");
    const form = document.getElementById("article_form");
    if (!desk || !form || !desk.dataset.autosave) return;
    const token = form.querySelector("input[name=csrfmiddlewaretoken]");
    const field = (name) => form.querySelector(`[name=${name}]`);
    const status = document.getElementById("autosave-status");
    const every = Math.max(2, Number(desk.dataset.autosaveEvery) || 20) * 1000;
    const text = () => ({
      headline: field("headline").value, lead: field("lead").value, body: field("body").value,
    });
    // What is kept (or was opened): only a change from it is sent.
    // The editor may write the stored text in its own form once built: that is no change.
    let last = JSON.stringify(text());
    let changedByHand = false;
    form.addEventListener("input", () => { changedByHand = true; }, { once: true });
    ready = () => { if (!changedByHand) last = JSON.stringify(text()); };
    if (editor) ready();
    let leaving = false;
    form.addEventListener("submit", () => { leaving = true; });

    const post = (data) => fetch(desk.dataset.autosave, {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "X-CSRFToken": token ? token.value : "" },
    });

    const save = async () => {
      const now = JSON.stringify(text());
      if (leaving || now === last) return;
      const data = new FormData();
      for (const [name, value] of Object.entries(text())) data.append(name, value);
      const opened = field("opened_revision");
      data.append("opened_revision", opened ? opened.value : "");
      try {
        const response = await post(data);
        const answer = await response.json();
        if (!response.ok) {
          if (status) status.textContent = (answer.errors || []).join(" ");
          return;
        }
        last = now;
        if (status) {
          status.textContent = interpolate(
            gettext("Autosaved at %(time)s, for you alone: the article changes when you save it."),
            { time: answer.time }, true);
        }
      } catch {
        // offline for a moment: the next round tries again
      }
    };
    setInterval(save, every);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") save();
    });

    const offer = document.getElementById("autosave-offer");
    const saved = document.getElementById("autosave-data");
    if (!offer || !saved) return;
    const kept = JSON.parse(saved.textContent);
    offer.hidden = false;
    offer.querySelector("[data-restore]").addEventListener("click", () => {
      field("headline").value = kept.headline;
      field("lead").value = kept.lead;
      field("body").value = kept.body;
      if (editor) editor.commands.setContent(kept.body, { emitUpdate: true });
      const opened = field("opened_revision");
      if (opened) opened.value = String(kept.based_on);
      offer.hidden = true;
      last = "";
      if (status) {
        status.textContent = gettext("The autosaved text is back in the form. Save to keep it.");
      }
    });
    offer.querySelector("[data-discard]").addEventListener("click", async () => {
      offer.hidden = true;
      const data = new FormData();
      data.append("discard", "1");
      try {
        await post(data);
      } catch {
        // it stays kept, and is offered again next time
      }
    });
  });
})();
