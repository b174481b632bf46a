// Drive page behaviour (Alpine, CSP build): uploads through tus with progress and resume, selection,
// drag-to-move, the "Move to…" dialog, the list/grid toggle (Shift+V) and PDF previews with pdf.js.
(() => {
  const { csrf, postJSON: api, toast } = window.nas;
  const changed = () => document.body.dispatchEvent(new Event("drive-changed"));
  const CONCURRENCY = 3;
  /** tus.Upload objects live outside Alpine's reactive state (proxies break Blob and the client's internals). */
  const tusUploads = new Map();

  /** Files (with their folder path) from a drop, walking dropped folders recursively. */
  async function filesFromDrop(dataTransfer) {
    const entries = [...dataTransfer.items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
    if (!entries.length) return [...dataTransfer.files].map((file) => ({ file, dir: "" }));
    const out = [];
    const readAll = (reader) =>
      new Promise((resolve, reject) => {
        const all = [];
        const next = () => reader.readEntries((batch) => (batch.length ? (all.push(...batch), next()) : resolve(all)), reject);
        next();
      });
    async function walk(entry, dir) {
      if (entry.isFile) {
        const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
        out.push({ file, dir });
      } else if (entry.isDirectory) {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        for (const child of await readAll(entry.createReader())) await walk(child, path);
      }
    }
    for (const e of entries) await walk(e, "");
    return out;
  }

  const selectedIds = () => [.../** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll("#listing .drive-select:checked"))].map((c) => c.value);

  function openMoveDialog(ids) {
    const dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("move-dialog"));
    if (!dialog || !ids.length) return;
    window.htmx
      .ajax("GET", `/drive/move-dialog?ids=${encodeURIComponent(ids.join(","))}`, { target: "#move-dialog", swap: "innerHTML" })
      .then(() => dialog.showModal());
  }

  const PDFJS = "/static/vendor/pdfjs/pdf.min.mjs";
  /** Open PDFs by canvas: the document, the page shown and the zoom. */
  const pdfs = new WeakMap();
  async function renderPdf(canvas) {
    const pdfjs = await import(PDFJS);
    pdfjs.GlobalWorkerOptions.workerSrc = "/static/vendor/pdfjs/pdf.worker.min.mjs";
    const doc = await pdfjs.getDocument({ url: canvas.dataset.pdfUrl, isEvalSupported: false }).promise;
    pdfs.set(canvas, { doc, page: 1, zoom: 1 });
    await drawPdfPage(canvas);
  }
  async function drawPdfPage(canvas) {
    const state = pdfs.get(canvas);
    if (!state) return;
    const page = await state.doc.getPage(state.page);
    const fit = Math.min(2, (canvas.parentElement?.clientWidth || 640) / page.getViewport({ scale: 1 }).width);
    const viewport = page.getViewport({ scale: fit * state.zoom });
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
    canvas.dataset.rendered = String(state.doc.numPages);
    canvas.dataset.page = String(state.page);
    const label = canvas.closest(".viewer-pdf")?.querySelector(".viewer-pdf-page");
    if (label) label.textContent = `Page ${state.page} of ${state.doc.numPages} · ${Math.round(state.zoom * 100)} %`;
  }
  function pdfCommand(button) {
    const canvas = button.closest(".viewer-pdf")?.querySelector("canvas.drive-pdf");
    const state = canvas && pdfs.get(canvas);
    if (!state) return;
    const cmd = button.dataset.pdf;
    if (cmd === "prev") state.page = Math.max(1, state.page - 1);
    if (cmd === "next") state.page = Math.min(state.doc.numPages, state.page + 1);
    if (cmd === "zoom-in") state.zoom = Math.min(4, state.zoom * 1.25);
    if (cmd === "zoom-out") state.zoom = Math.max(0.25, state.zoom / 1.25);
    drawPdfPage(canvas).catch((err) => toast(`PDF page failed: ${err.message}`));
  }

  // The viewer (#preview holds it while open): close, previous/next file in the listing's order.
  const preview = () => document.getElementById("preview");
  const viewerOpen = () => !!preview()?.querySelector(".viewer");
  let openedFrom = null;
  function closeViewer() {
    const el = preview();
    if (!el) return;
    el.innerHTML = "";
    /** @type {HTMLElement | null} */ (openedFrom)?.focus?.();
  }
  function stepViewer(delta) {
    const current = preview()?.querySelector(".viewer")?.getAttribute("data-file-id");
    const files = [...document.querySelectorAll('#listing .drive-item[data-kind="file"]')].map((r) => /** @type {HTMLElement} */ (r).dataset.id);
    if (!current || !files.length) return;
    const i = files.indexOf(current);
    const next = files[(i + delta + files.length) % files.length];
    if (next && next !== current) window.htmx.ajax("GET", `/drive/preview/${next}`, { target: "#preview", swap: "innerHTML" });
  }

  // Image zoom in the viewer: a CSS transform over the fitted image (1× = fit to the window, up to 8×), around the
  // pointer for the wheel, pinch and double-click, around the centre for buttons and keys; dragging pans. Past 1× the
  // original replaces the preview when the browser can show it (data-full).
  /** @type {WeakMap<HTMLImageElement, {z: number, x: number, y: number}>} */
  const zooms = new WeakMap();
  const zoomImage = () => /** @type {HTMLImageElement | null} */ (preview()?.querySelector(".viewer-image .viewer-media") ?? null);
  function zoomTo(img, z, clientX, clientY) {
    const st = zooms.get(img) ?? { z: 1, x: 0, y: 0 };
    const next = Math.min(8, Math.max(1, z));
    const r = img.getBoundingClientRect();
    const left = r.left - st.x;
    const top = r.top - st.y;
    const px = (clientX ?? r.left + r.width / 2) - left;
    const py = (clientY ?? r.top + r.height / 2) - top;
    st.x = next === 1 ? 0 : px - ((px - st.x) * next) / st.z;
    st.y = next === 1 ? 0 : py - ((py - st.y) * next) / st.z;
    st.z = next;
    zooms.set(img, st);
    img.style.transform = next === 1 ? "" : `translate(${st.x}px, ${st.y}px) scale(${next})`;
    const box = img.closest(".viewer-image");
    box?.classList.toggle("zoomed", next > 1);
    const level = box?.querySelector(".viewer-zoom-level");
    if (level) level.textContent = next === 1 ? "Fit" : `${Math.round(next * 100)} %`;
    if (next > 1 && img.dataset.full && img.getAttribute("src") !== img.dataset.full) img.src = img.dataset.full;
  }
  const zoomBy = (img, factor, clientX, clientY) => zoomTo(img, (zooms.get(img)?.z ?? 1) * factor, clientX, clientY);
  const zoomed = () => {
    const img = zoomImage();
    return !!img && (zooms.get(img)?.z ?? 1) > 1;
  };
  document.addEventListener(
    "wheel",
    (e) => {
      const img = zoomImage();
      if (!img?.closest(".viewer-image")?.contains(/** @type {Node} */ (e.target))) return;
      e.preventDefault();
      zoomBy(img, Math.exp(-e.deltaY * 0.002), e.clientX, e.clientY);
    },
    { passive: false },
  );
  document.addEventListener("dblclick", (e) => {
    const img = zoomImage();
    if (!img || e.target !== img) return;
    zoomTo(img, zoomed() ? 1 : 2.5, e.clientX, e.clientY);
  });
  /** Pointers down on the zoomed image: one drags, two pinch. */
  const pointers = new Map();
  let pinch = null;
  document.addEventListener("pointerdown", (e) => {
    const img = zoomImage();
    if (!img?.closest(".viewer-image")?.contains(/** @type {Node} */ (e.target)) || /** @type {Element} */ (e.target).closest("button")) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      pinch = { d: Math.hypot(a.x - b.x, a.y - b.y), z: zooms.get(img)?.z ?? 1 };
    }
  });
  document.addEventListener("pointermove", (e) => {
    const img = zoomImage();
    const last = pointers.get(e.pointerId);
    if (!img || !last) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.size === 2 && pinch) {
      const [a, b] = [...pointers.values()];
      zoomTo(img, (pinch.z * Math.hypot(a.x - b.x, a.y - b.y)) / pinch.d, (a.x + b.x) / 2, (a.y + b.y) / 2);
    } else if (zoomed()) {
      const st = zooms.get(img);
      st.x += e.clientX - last.x;
      st.y += e.clientY - last.y;
      img.style.transform = `translate(${st.x}px, ${st.y}px) scale(${st.z})`;
    }
  });
  const pointerUp = (e) => {
    pointers.delete(e.pointerId);
    if (pointers.size < 2) pinch = null;
  };
  document.addEventListener("pointerup", pointerUp);
  document.addEventListener("pointercancel", pointerUp);

  /** An image that cannot be shown (415 from /drive/thumb: HEIC, damaged) becomes a file-type tile. */
  function fileTile(name) {
    const dot = name.lastIndexOf(".");
    const tile = document.createElement("div");
    tile.className = "file-tile";
    const ext = document.createElement("span");
    ext.className = "file-tile-ext";
    ext.textContent =
      dot > 0
        ? name
            .slice(dot + 1)
            .toUpperCase()
            .slice(0, 6)
        : "FILE";
    const p = document.createElement("p");
    p.textContent = "No preview for this file";
    tile.append(ext, p);
    return tile;
  }
  document.addEventListener(
    "error",
    (e) => {
      const img = /** @type {HTMLImageElement} */ (e.target);
      if (!(img instanceof HTMLImageElement)) return;
      if (img.classList.contains("drive-thumb")) {
        img.closest(".drive-item")?.classList.add("no-thumb");
        img.remove();
      } else if (img.classList.contains("viewer-media")) {
        img.replaceWith(fileTile(img.alt));
      }
    },
    true,
  );
  document.addEventListener(
    "load",
    (e) => {
      const img = e.target;
      if (img instanceof HTMLImageElement && img.classList.contains("drive-thumb")) img.closest(".drive-item")?.classList.add("has-thumb");
    },
    true,
  );

  document.addEventListener("htmx:afterSwap", (e) => {
    const target = /** @type {Element} */ (e.target);
    for (const c of target.querySelectorAll?.("canvas.drive-pdf") ?? []) renderPdf(c).catch((err) => toast(`PDF preview failed: ${err.message}`));
    if (target.id === "preview" && viewerOpen()) {
      if (!target.contains(document.activeElement)) openedFrom = document.activeElement;
      /** @type {HTMLElement | null} */ (target.querySelector(".viewer-close"))?.focus();
    }
  });
  document.addEventListener("click", (e) => {
    const target = /** @type {Element} */ (e.target);
    const close = /** @type {HTMLElement | null} */ (target.closest?.("[data-close-dialog]"));
    if (close) /** @type {HTMLDialogElement | null} */ (document.getElementById(close.dataset.closeDialog))?.close();
    const moveOne = /** @type {HTMLElement | null} */ (target.closest?.(".drive-move-one"));
    if (moveOne) openMoveDialog([moveOne.dataset.id]);
    const viewerButton = /** @type {HTMLElement | null} */ (target.closest?.("[data-viewer]"));
    if (viewerButton) {
      const cmd = viewerButton.dataset.viewer;
      if (cmd === "close") closeViewer();
      else stepViewer(cmd === "next" ? 1 : -1);
    }
    const pdfButton = /** @type {HTMLElement | null} */ (target.closest?.("[data-pdf]"));
    if (pdfButton) pdfCommand(pdfButton);
    const zoomButton = /** @type {HTMLElement | null} */ (target.closest?.("[data-zoom]"));
    const img = zoomImage();
    if (zoomButton && img) {
      const cmd = zoomButton.dataset.zoom;
      if (cmd === "fit") zoomTo(img, 1);
      else zoomBy(img, cmd === "in" ? 1.5 : 1 / 1.5);
    }
    // A click outside an open row menu closes it.
    for (const menu of document.querySelectorAll("details.drive-menu[open]")) if (!menu.contains(target)) menu.removeAttribute("open");
  });
  let touchX = null;
  document.addEventListener(
    "touchstart",
    (e) => {
      // A swipe goes to the next file; on a zoomed image, or with two fingers, it pans or pinches instead.
      touchX = viewerOpen() && preview().contains(/** @type {Node} */ (e.target)) && e.touches.length === 1 && !zoomed() ? e.touches[0].clientX : null;
    },
    { passive: true },
  );
  document.addEventListener(
    "touchend",
    (e) => {
      if (touchX === null) return;
      const dx = e.changedTouches[0].clientX - touchX;
      touchX = null;
      if (Math.abs(dx) > 50) stepViewer(dx < 0 ? 1 : -1);
    },
    { passive: true },
  );

  // Row menus open in the top layer's way: fixed to the viewport beside their button, flipped up when the room below is short.
  document.addEventListener(
    "toggle",
    (e) => {
      const menu = e.target;
      if (!(menu instanceof HTMLDetailsElement) || !menu.classList.contains("drive-menu") || !menu.open) return;
      for (const other of document.querySelectorAll("details.drive-menu[open]")) if (other !== menu) other.removeAttribute("open");
      placeMenu(menu);
    },
    true,
  );
  function placeMenu(menu) {
    const body = /** @type {HTMLElement | null} */ (menu.querySelector(".drive-menu-body"));
    if (!body) return;
    const anchor = menu.querySelector("summary").getBoundingClientRect();
    const width = Math.min(body.offsetWidth || 260, window.innerWidth - 16);
    const height = body.offsetHeight;
    const below = window.innerHeight - anchor.bottom;
    const top =
      below >= height + 8 || anchor.top < height + 8 ? Math.min(anchor.bottom + 4, Math.max(8, window.innerHeight - height - 8)) : anchor.top - height - 4;
    const left = Math.max(8, Math.min(anchor.right - width, window.innerWidth - width - 8));
    body.style.setProperty("--menu-top", `${Math.max(8, top)}px`);
    body.style.setProperty("--menu-left", `${left}px`);
    body.classList.add("placed");
  }
  window.addEventListener(
    "scroll",
    () => {
      for (const m of document.querySelectorAll("details.drive-menu[open]")) m.removeAttribute("open");
    },
    { passive: true },
  );

  // What an action did, with Undo (the server's HX-Trigger "drive-done").
  document.body.addEventListener("drive-done", (e) => {
    const { message, undo } = /** @type {CustomEvent} */ (e).detail ?? {};
    if (!message) return;
    toast(message, undo ? { label: "Undo", run: () => window.htmx.ajax("POST", undo.url, { values: undo.vals, swap: "none" }) } : undefined);
  });

  // Selection: Shift-click selects a range, Ctrl/⌘+A all, the head's box all or none.
  let lastChecked = null;
  const boxes = () => /** @type {HTMLInputElement[]} */ ([...document.querySelectorAll("#listing .drive-select")]);
  function setAll(on) {
    for (const b of boxes()) b.checked = on;
    document.getElementById("listing")?.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.addEventListener("click", (e) => {
    const box = e.target;
    if (!(box instanceof HTMLInputElement)) return;
    if (box.classList.contains("drive-select-all")) return setAll(box.checked);
    if (!box.classList.contains("drive-select")) return;
    const all = boxes();
    if (e.shiftKey && lastChecked && all.includes(lastChecked)) {
      const [a, b] = [all.indexOf(lastChecked), all.indexOf(box)].sort((x, y) => x - y);
      for (const other of all.slice(a, b + 1)) other.checked = box.checked;
    }
    lastChecked = box;
  });
  document.addEventListener("change", () => {
    const all = boxes();
    const head = /** @type {HTMLInputElement | null} */ (document.querySelector("#listing .drive-select-all"));
    if (!head) return;
    const n = all.filter((b) => b.checked).length;
    head.checked = n > 0 && n === all.length;
    head.indeterminate = n > 0 && n < all.length;
  });
  document.addEventListener("keydown", (e) => {
    const typing = /** @type {Element} */ (e.target).closest?.("input:not([type=checkbox]), textarea, select, [contenteditable]");
    if (viewerOpen()) {
      if (e.key === "Escape") {
        e.preventDefault();
        closeViewer();
      } else if (e.key === "ArrowRight" && !typing) {
        e.preventDefault();
        stepViewer(1);
      } else if (e.key === "ArrowLeft" && !typing) {
        e.preventDefault();
        stepViewer(-1);
      } else if (zoomImage() && !typing && ["+", "=", "-", "0"].includes(e.key)) {
        e.preventDefault();
        if (e.key === "0") zoomTo(zoomImage(), 1);
        else zoomBy(zoomImage(), e.key === "-" ? 1 / 1.5 : 1.5);
      }
      return;
    }
    if (e.key === "Escape") for (const m of document.querySelectorAll("details.drive-menu[open]")) m.removeAttribute("open");
    if ((e.ctrlKey || e.metaKey) && (e.key === "a" || e.key === "A") && !typing && document.getElementById("listing")) {
      e.preventDefault();
      setAll(true);
    }
  });
  // Right-click on a row opens its menu (and selects nothing else).
  document.addEventListener("contextmenu", (e) => {
    const row = /** @type {Element} */ (e.target).closest?.("#listing .drive-item");
    const menu = /** @type {HTMLDetailsElement | null} */ (row?.querySelector("details.drive-menu"));
    if (!menu) return;
    e.preventDefault();
    menu.open = true;
    /** @type {HTMLElement | null} */ (menu.querySelector(".drive-menu-body button, .drive-menu-body a, .drive-menu-body input"))?.focus();
  });

  document.addEventListener("alpine:init", () => {
    window.Alpine.data("drive", () => ({
      grid: localStorage.getItem("drive.view") === "grid",
      selected: 0,
      conflict: "rename",
      uploads: [],
      queue: [],
      running: 0,
      dragging: false,
      get hasSelection() {
        return this.selected > 0;
      },
      get hasUploads() {
        return this.uploads.length > 0;
      },
      get selectedLabel() {
        return `${this.selected} selected`;
      },
      get uploadSummary() {
        const done = this.uploads.filter((u) => u.status === "Done").length;
        return `Uploaded ${done} of ${this.uploads.length}`;
      },
      folderId() {
        return document.getElementById("listing")?.dataset.folderId || this.$root.dataset.folderId || "";
      },
      toggleView() {
        this.grid = !this.grid;
        localStorage.setItem("drive.view", this.grid ? "grid" : "list");
      },
      shell: {
        "@keydown.window"(e) {
          if (e.shiftKey && (e.key === "V" || e.key === "v") && !e.target.closest("input, textarea, select, [contenteditable]")) {
            e.preventDefault();
            this.toggleView();
          }
        },
        "@change"(e) {
          if (e.target.classList?.contains("drive-select")) this.selected = selectedIds().length;
        },
        "@htmx:after-settle.window"() {
          this.selected = selectedIds().length;
        },
        "@dragstart"(e) {
          const row = e.target.closest?.(".drive-item");
          if (!row) return;
          const ids = selectedIds().includes(row.dataset.id) ? selectedIds() : [row.dataset.id];
          e.dataTransfer.setData("application/x-drive-ids", ids.join(","));
          e.dataTransfer.effectAllowed = "move";
        },
      },
      layout: {
        ":class"() {
          return this.grid ? "drive-content grid" : "drive-content list";
        },
      },
      viewToggle: {
        "@click"() {
          this.toggleView();
        },
        ":aria-pressed"() {
          return String(this.grid);
        },
      },
      moveSelected: {
        "@click"() {
          openMoveDialog(selectedIds());
        },
      },
      zipSelected: {
        "@click"() {
          window.location.assign(`/api/v1/zip?ids=${encodeURIComponent(selectedIds().join(","))}`);
        },
      },
      clearUploads: {
        "@click"() {
          this.uploads = this.uploads.filter((u) => u.active);
        },
      },
      totalProgress: {
        ":value"() {
          const total = this.uploads.reduce((n, u) => n + u.size, 0);
          const sent = this.uploads.reduce((n, u) => n + u.sent, 0);
          return total ? Math.round((sent / total) * 100) : 0;
        },
      },
      filePicker: {
        "@change"(e) {
          const files = [...e.target.files].map((file) => {
            const parts = (file.webkitRelativePath || "").split("/");
            return { file, dir: parts.slice(0, -1).join("/") };
          });
          e.target.value = "";
          this.enqueue(files, this.folderId());
        },
      },
      dropzone: {
        ":class"() {
          return this.dragging ? "drive-body dragging" : "drive-body";
        },
        "@dragover"(e) {
          e.preventDefault();
          if (e.dataTransfer.types.includes("Files")) this.dragging = true;
        },
        "@dragleave"(e) {
          if (!e.currentTarget.contains(e.relatedTarget)) this.dragging = false;
        },
        async "@drop"(e) {
          e.preventDefault();
          this.dragging = false;
          const target = e.target.closest?.('.drive-item[data-kind="folder"], [data-drop-folder]');
          const targetId = target ? target.dataset.id || target.dataset.dropFolder : "";
          const ids = e.dataTransfer.getData("application/x-drive-ids");
          if (ids) {
            if (!targetId || ids.split(",").includes(targetId)) return;
            try {
              await api("/api/v1/move", { ids: ids.split(","), targetId });
              changed();
            } catch (err) {
              toast(err.message);
            }
            return;
          }
          this.enqueue(await filesFromDrop(e.dataTransfer), targetId || this.folderId());
        },
      },
      enqueue(files, parentId) {
        for (const { file, dir } of files) {
          const u = {
            key: `${Date.now()}-${Math.random()}`,
            label: dir ? `${dir}/${file.name}` : file.name,
            file,
            dir,
            parentId,
            size: file.size,
            sent: 0,
            pct: 0,
            status: "Waiting",
            active: true,
          };
          this.uploads.push(u);
          this.queue.push(u);
        }
        this.pump();
      },
      pump() {
        while (this.running < CONCURRENCY && this.queue.length) this.start(this.queue.shift());
      },
      start(entry) {
        const u = this.uploads.find((x) => x.key === entry.key) ?? entry;
        this.running++;
        u.status = "Uploading";
        const finish = (status) => {
          u.status = status;
          u.active = false;
          this.running--;
          this.pump();
          changed();
        };
        const upload = new window.tus.Upload(entry.file, {
          endpoint: "/api/v1/uploads",
          chunkSize: 8 * 1024 * 1024,
          retryDelays: [0, 1000, 2000, 3000, 5000, 8000, 10000, 15000, 20000, 30000],
          removeFingerprintOnSuccess: true,
          headers: { "X-CSRF-Token": csrf() },
          metadata: { filename: u.file.name, filetype: u.file.type, parentId: u.parentId, relativePath: u.dir, conflict: this.conflict },
          onProgress: (sent, total) => {
            u.sent = sent;
            u.pct = total ? Math.round((sent / total) * 100) : 100;
          },
          onShouldRetry: (err) => {
            const status = err?.originalResponse?.getStatus?.() ?? 0;
            u.status = "Connection lost, retrying…";
            return status === 0 || (status >= 500 && status !== 507);
          },
          onSuccess: () => {
            u.sent = u.size;
            u.pct = 100;
            finish("Done");
          },
          onError: (err) => {
            const body = err?.originalResponse?.getBody?.();
            finish(`Failed: ${(body || err.message || "error").toString().trim().slice(0, 200)}`);
          },
        });
        tusUploads.set(u.key, upload);
        upload.findPreviousUploads().then((previous) => {
          if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
          upload.start();
        });
      },
      cancel(u) {
        tusUploads.get(u.key)?.abort(true);
        u.status = "Cancelled";
        if (u.active) {
          u.active = false;
          this.running = Math.max(0, this.running - 1);
          this.queue = this.queue.filter((q) => q.key !== u.key);
          this.pump();
        }
      },
    }));
  });
})();
