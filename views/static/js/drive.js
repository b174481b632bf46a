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
    const readAll = (reader) => new Promise((resolve, reject) => {
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
    window.htmx.ajax("GET", `/drive/move-dialog?ids=${encodeURIComponent(ids.join(","))}`, { target: "#move-dialog", swap: "innerHTML" })
      .then(() => dialog.showModal());
  }

  const PDFJS = "/static/vendor/pdfjs/pdf.min.mjs";
  async function renderPdf(canvas) {
    const pdfjs = await import(PDFJS);
    pdfjs.GlobalWorkerOptions.workerSrc = "/static/vendor/pdfjs/pdf.worker.min.mjs";
    const doc = await pdfjs.getDocument({ url: canvas.dataset.pdfUrl, isEvalSupported: false }).promise;
    const page = await doc.getPage(1);
    const viewport = page.getViewport({ scale: Math.min(2, 640 / page.getViewport({ scale: 1 }).width) });
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
    canvas.dataset.rendered = String(doc.numPages);
  }

  document.addEventListener("htmx:afterSwap", (e) => {
    for (const c of /** @type {Element} */ (e.target).querySelectorAll?.("canvas.drive-pdf") ?? []) renderPdf(c).catch((err) => toast(`PDF preview failed: ${err.message}`));
  });
  document.addEventListener("click", (e) => {
    const target = /** @type {Element} */ (e.target);
    const close = /** @type {HTMLElement | null} */ (target.closest?.("[data-close-dialog]"));
    if (close) /** @type {HTMLDialogElement | null} */ (document.getElementById(close.dataset.closeDialog))?.close();
    const moveOne = /** @type {HTMLElement | null} */ (target.closest?.(".drive-move-one"));
    if (moveOne) openMoveDialog([moveOne.dataset.id]);
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
          const u = { key: `${Date.now()}-${Math.random()}`, label: dir ? `${dir}/${file.name}` : file.name, file, dir, parentId, size: file.size, sent: 0, pct: 0, status: "Waiting", active: true };
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
            return status === 0 || status >= 500 && status !== 507;
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
