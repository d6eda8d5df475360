// The article editor's own tools, as extensions of the rich-text editor (django-prose-editor,
// loaded through its import map): a photo from the library and a video, each placed on a line
// of its own in the format the reader pages render ("[photo N]"; a YouTube or Vimeo link),
// and shown in the text as what they are: the photo itself under its code, a video mark.
// The stored text stays exactly what the editor writes: the previews are decorations, never
// part of the document.
import { Extension, gettext, pm, updateAttrsDialog } from "django-prose-editor/editor"

const { Plugin, PluginKey } = pm.state
const { Decoration, DecorationSet } = pm.view

const PLACED = /^\s*\[photo\s+(\d{1,12})\]\s*$/
const ONLY_LINK = /^\s*(https?:\/\/\S+)\s*$/
const interpolate = (format, values) =>
  format.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]))

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (name === "text") node.textContent = value
    else if (name === "className") node.className = value
    else node.setAttribute(name, value === true ? "" : value)
  }
  node.append(...children)
  return node
}

function desk(editor) {
  const box = editor.view.dom.closest("#desk")
  return box && box.dataset.photoPick ? box.dataset : null
}

function csrfToken() {
  const field = document.querySelector("#article_form input[name=csrfmiddlewaretoken]")
  return field ? field.value : ""
}

async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin" })
  if (!response.ok) throw new Error(String(response.status))
  return response.json()
}

// --- Videos: what the reader pages make a placeholder of (photos/embeds.py video_link) ------

function videoLink(address) {
  let url
  try {
    url = new URL(address.trim())
  } catch {
    return null
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null
  const host = url.hostname.replace(/^www\./, "").replace(/^m\./, "")
  const youtube = (id) => (/^[\w-]{6,20}$/.test(id) ? `https://www.youtube.com/watch?v=${id}` : null)
  if (host === "youtube.com" || host === "youtube-nocookie.com") {
    let id = url.searchParams.get("v") || ""
    if (!id && /^\/(shorts|embed|live)\//.test(url.pathname)) id = url.pathname.split("/")[2]
    return youtube(id)
  }
  if (host === "youtu.be") return youtube(url.pathname.replace(/^\/+|\/+$/g, ""))
  if (host === "vimeo.com" || host === "player.vimeo.com") {
    const id = url.pathname.replace(/\/+$/, "").split("/").pop()
    return /^\d{4,12}$/.test(id) ? `https://vimeo.com/${id}` : null
  }
  return null
}

async function insertVideo(editor) {
  let description = gettext("A YouTube or Vimeo address. Readers see a placeholder and a link; nothing is loaded from the video site until they follow it.")
  for (;;) {
    const answer = await updateAttrsDialog(
      { address: { type: "string", title: gettext("Video address"), description, required: true } },
      { title: gettext("Insert a video"), submitText: gettext("Insert") },
    )(editor, {})
    if (!answer) return
    const link = videoLink(answer.address || "")
    if (link) {
      editor.chain().focus().insertContent({
        type: "paragraph",
        content: [{ type: "text", text: link, marks: [{ type: "link", attrs: { href: link } }] }],
      }).run()
      return
    }
    description = gettext("This is not a YouTube or Vimeo video address. Copy it from the address bar of the video's page.")
  }
}

// --- The photo dialog: search the library, upload, pick, place --------------------------

function photoCard(row, choose) {
  const button = el("button", { type: "button", className: "desk-photo-card", "data-id": row.id }, [
    el("img", { src: row.thumb, alt: "", loading: "lazy", width: 160, height: Math.round(160 * row.height / row.width) }),
    el("span", { text: row.name || row.caption || row.code }),
  ])
  button.addEventListener("click", () => choose(row))
  return button
}

function openPhotoDialog(editor) {
  const urls = desk(editor)
  if (!urls) return
  const status = el("p", { className: "desk-photo-status", role: "status" })
  const search = el("input", { type: "search", id: "desk-photo-q", autocomplete: "off" })
  const list = el("ul", { className: "desk-photo-list" })
  const more = el("button", { type: "button", className: "desk-photo-more", hidden: true, text: gettext("More photos") })
  const chosen = el("div", { className: "desk-photo-chosen", hidden: true })
  const place = el("button", { type: "button", className: "desk-photo-place", disabled: true, text: gettext("Place the photo") })
  const cancel = el("button", { type: "button", text: gettext("Cancel") })
  const file = el("input", { type: "file", id: "desk-photo-file", accept: "image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif" })
  const caption = el("textarea", { id: "desk-photo-caption", rows: 2 })
  const credit = el("input", { type: "text", id: "desk-photo-credit", maxlength: 200 })
  const alt = el("input", { type: "text", id: "desk-photo-alt", maxlength: 400 })
  const upload = el("button", { type: "button", className: "desk-photo-upload-button", text: gettext("Upload") })
  const field = (id, label, input) => el("div", { className: "prose-editor-dialog-field" }, [el("label", { for: id, text: label }), input])
  const title = el("h3", { className: "prose-editor-dialog-title", id: "desk-photo-title", text: gettext("Place a photo") })
  const dialog = el("dialog", { className: "prose-editor-dialog desk-photo-dialog", "aria-labelledby": "desk-photo-title" }, [
    title,
    field("desk-photo-q", gettext("Search the library"), search),
    list, more, status, chosen,
    el("details", { className: "desk-photo-upload" }, [
      el("summary", { text: gettext("Upload a new photo") }),
      field("desk-photo-file", gettext("Photo"), file),
      field("desk-photo-caption", gettext("Caption"), caption),
      field("desk-photo-credit", gettext("Credit"), credit),
      field("desk-photo-alt", gettext("Alternative text"), alt),
      upload,
    ]),
    el("div", { className: "prose-editor-dialog-buttons" }, [place, cancel]),
  ])
  let picked = null
  let next = null
  let asked = 0

  const choose = (row) => {
    picked = row
    place.disabled = false
    for (const card of list.querySelectorAll(".desk-photo-card")) {
      card.setAttribute("aria-pressed", String(Number(card.dataset.id) === row.id))
    }
    chosen.replaceChildren(
      el("img", { src: row.thumb, alt: row.alt }),
      el("div", {}, [
        el("p", { className: "desk-photo-code", text: row.code }),
        el("p", { text: row.caption || gettext("No caption.") }),
        row.credit ? el("p", { text: row.credit }) : "",
        row.alt ? "" : el("p", { className: "desk-photo-warning", text: gettext("No alternative text yet: the article cannot be published until the photo has it.") }),
        el("p", { className: "help", text: gettext("The caption and credit are the photo's own, shown wherever it appears.") }),
        el("a", { href: row.change_url, target: "_blank", rel: "noopener", text: gettext("Edit the photo in the library") }),
      ]),
    )
    chosen.hidden = false
  }

  const load = async (append) => {
    const ask = ++asked
    const query = new URLSearchParams({ q: search.value.trim() })
    if (append && next) query.set("before", next)
    status.textContent = gettext("Loading…")
    let page
    try {
      page = await getJSON(`${urls.photoPick}?${query}`)
    } catch {
      if (ask === asked) status.textContent = gettext("The library could not be reached. Try again.")
      return
    }
    if (ask !== asked) return // a newer search answered first
    if (!append) list.replaceChildren()
    list.append(...page.results.map((row) => el("li", {}, [photoCard(row, choose)])))
    next = page.next
    more.hidden = !next
    status.textContent = list.children.length ? "" : gettext("No photos found.")
  }

  let typing = null
  search.addEventListener("input", () => {
    clearTimeout(typing)
    typing = setTimeout(() => load(false), 300)
  })
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault()
      clearTimeout(typing)
      load(false)
    }
  })
  more.addEventListener("click", () => load(true))
  upload.addEventListener("click", async () => {
    if (!file.files.length) {
      status.textContent = gettext("Choose a photo to upload first.")
      return
    }
    const data = new FormData()
    data.append("files", file.files[0])
    data.append("caption", caption.value)
    data.append("credit", credit.value)
    data.append("alt_text", alt.value)
    upload.disabled = true
    status.textContent = gettext("Uploading…")
    try {
      const response = await fetch(urls.photoUpload, {
        method: "POST", credentials: "same-origin", body: data, headers: { "X-CSRFToken": csrfToken() },
      })
      const answer = await response.json()
      if (!response.ok) {
        status.textContent = (answer.errors || []).join(" ") || gettext("The upload failed.")
        return
      }
      PHOTOS.set(answer.id, answer)
      list.prepend(el("li", {}, [photoCard(answer, choose)]))
      choose(answer)
      file.value = ""
      status.textContent = gettext("Uploaded: the photo is in the library.")
    } catch {
      status.textContent = gettext("The upload failed.")
    } finally {
      upload.disabled = false
    }
  })
  place.addEventListener("click", () => {
    if (!picked) return
    PHOTOS.set(picked.id, picked)
    dialog.close()
    editor.chain().focus().insertContent({
      type: "paragraph", content: [{ type: "text", text: picked.code }],
    }).run()
  })
  cancel.addEventListener("click", () => dialog.close())
  dialog.addEventListener("close", () => {
    dialog.remove()
    editor.commands.focus()
  })
  document.body.append(dialog)
  dialog.showModal()
  search.focus()
  load(false)
}

// --- Previews of what the placements refer to ------------------------------------------

const PHOTOS = new Map() // id -> the dialog's row, or null when the library has no such photo
const previews = new PluginKey("samizdatPreviews")

function preview(id) {
  const row = PHOTOS.get(id)
  if (row === undefined) {
    return el("figure", { className: "placed-photo-preview loading", "aria-hidden": "true" })
  }
  if (row === null) {
    return el("figure", { className: "placed-photo-preview missing" }, [el("figcaption", {
      text: interpolate(gettext("There is no photo %(id)s in the library: readers will see nothing here."), { id }),
    })])
  }
  const text = [row.caption, row.credit].filter(Boolean).join(" ")
  return el("figure", { className: "placed-photo-preview", "data-id": id }, [
    el("img", { src: row.thumb, alt: row.alt, width: row.width, height: row.height }),
    text ? el("figcaption", { text }) : "",
  ])
}

function decorate(doc) {
  const found = []
  doc.descendants((node, pos) => {
    if (node.type.name !== "paragraph") return true
    const text = node.textContent
    const photo = PLACED.exec(text)
    if (photo) {
      const id = Number(photo[1])
      const state = PHOTOS.has(id) ? (PHOTOS.get(id) ? "shown" : "missing") : "loading"
      found.push(Decoration.node(pos, pos + node.nodeSize, { class: "placed-photo" }))
      found.push(Decoration.widget(pos, () => preview(id), {
        side: -1, key: `photo-${id}-${state}`, ignoreSelection: true,
      }))
    } else if (ONLY_LINK.test(text) && videoLink(text)) {
      found.push(Decoration.node(pos, pos + node.nodeSize, {
        class: "placed-video", "data-label": gettext("Video: readers see a placeholder and a link"),
      }))
    }
    return false
  })
  return DecorationSet.create(doc, found)
}

function previewPlugin() {
  return new Plugin({
    key: previews,
    state: {
      init: (_, state) => decorate(state.doc),
      apply: (tr, old) => (tr.docChanged || tr.getMeta(previews) ? decorate(tr.doc) : old),
    },
    props: { decorations: (state) => previews.getState(state) },
    view(editorView) {
      const asking = new Set()
      const fetchMissing = async (view) => {
        const urls = view.dom.closest("#desk")?.dataset
        if (!urls || !urls.photoPick) return
        const ids = []
        view.state.doc.descendants((node) => {
          if (node.type.name !== "paragraph") return true
          const photo = PLACED.exec(node.textContent)
          if (photo && !PHOTOS.has(Number(photo[1])) && !asking.has(Number(photo[1]))) ids.push(Number(photo[1]))
          return false
        })
        if (!ids.length) return
        const batch = ids.slice(0, 50)
        for (const id of batch) asking.add(id)
        try {
          const page = await getJSON(`${urls.photoPick}?ids=${batch.join(",")}`)
          const rows = new Map(page.results.map((row) => [row.id, row]))
          for (const id of batch) PHOTOS.set(id, rows.get(id) || null)
        } catch {
          return // offline for a moment: the next change asks again
        } finally {
          for (const id of batch) asking.delete(id)
        }
        if (view.isDestroyed) return
        view.dispatch(view.state.tr.setMeta(previews, true))
        if (ids.length > batch.length) fetchMissing(view) // a text placing more than 50
      }
      fetchMissing(editorView)
      return { update: (view, before) => { if (!view.state.doc.eq(before.doc)) fetchMissing(view) } }
    },
  })
}

// --- The extensions the editor's configuration names (newsroom/admin.py DESK_EXTENSIONS) ---

export const SamizdatPhoto = Extension.create({
  name: "samizdatPhoto",
  addProseMirrorPlugins() {
    return [previewPlugin()]
  },
  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "samizdatPhoto",
      groups: "nodes",
      command: (editor) => openPhotoDialog(editor),
      button: buttons.material("image", gettext("Place a photo from the library")),
      hidden: (editor) => !desk(editor),
    })
  },
})

export const SamizdatVideo = Extension.create({
  name: "samizdatVideo",
  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "samizdatVideo",
      groups: "nodes",
      command: (editor) => { insertVideo(editor) },
      button: buttons.material("videocam", gettext("Insert a video (YouTube, Vimeo)")),
    })
  },
})
