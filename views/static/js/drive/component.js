// The Drive page's Alpine component (x-data="drive", views/drive/DrivePage.tsx): list or grid (Shift+V), the
// selection's toolbar, drag-to-move, and uploads (picker or drop, folders too) with progress, cancel and resume.
import { api } from "../lib/http.js";
import { messageOf, toast } from "../lib/toast.js";
import { resumableUpload } from "../lib/uploads.js";
import { openMoveDialog, selectedIds } from "./listing.js";

const CONCURRENCY = 3;
const changed = () => document.body.dispatchEvent(new Event("drive-changed"));
/** tus uploads live outside Alpine's reactive state (proxies break Blob and the client's internals). @type {Map<string, TusUpload>} */
const tusUploads = new Map();

/** @typedef {{ file: File; dir: string }} Picked A file and the folder path it sits in (a dropped or picked folder's). */
/**
 * @typedef {object} Upload
 * @property {string} key
 * @property {string} label
 * @property {File} file
 * @property {string} dir
 * @property {string} parentId
 * @property {number} size
 * @property {number} sent
 * @property {number} pct
 * @property {string} status
 * @property {boolean} active
 */

/** Files (with their folder path) from a drop, walking dropped folders. @param {DataTransfer} dataTransfer @returns {Promise<Picked[]>} */
async function filesFromDrop(dataTransfer) {
  const entries = [...dataTransfer.items].flatMap((i) => i.webkitGetAsEntry?.() ?? []);
  if (!entries.length) return [...dataTransfer.files].map((file) => ({ file, dir: "" }));
  /** @type {Picked[]} */
  const out = [];
  /** @param {FileSystemDirectoryReader} reader @returns {Promise<FileSystemEntry[]>} */
  const readAll = (reader) =>
    new Promise((resolve, reject) => {
      /** @type {FileSystemEntry[]} */
      const all = [];
      const next = () => reader.readEntries((batch) => (batch.length ? (all.push(...batch), next()) : resolve(all)), reject);
      next();
    });
  /** @param {FileSystemEntry} entry @param {string} dir */
  async function walk(entry, dir) {
    if (entry.isFile) {
      const fileEntry = /** @type {FileSystemFileEntry} */ (entry);
      out.push({ file: await new Promise((resolve, reject) => fileEntry.file(resolve, reject)), dir });
    } else if (entry.isDirectory) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      for (const child of await readAll(/** @type {FileSystemDirectoryEntry} */ (entry).createReader())) await walk(child, path);
    }
  }
  for (const e of entries) await walk(e, "");
  return out;
}

/** The element an Alpine-bound event came from. @param {Event} e */
const from = (e) => (e.target instanceof Element ? e.target : null);

document.addEventListener("alpine:init", () => {
  window.Alpine.data("drive", () => ({
    grid: localStorage.getItem("drive.view") === "grid",
    selected: 0,
    conflict: "rename",
    /** @type {Upload[]} */
    uploads: [],
    /** @type {Upload[]} */
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
      /** @param {KeyboardEvent} e */
      "@keydown.window"(e) {
        if (e.shiftKey && (e.key === "V" || e.key === "v") && !from(e)?.closest("input, textarea, select, [contenteditable]")) {
          e.preventDefault();
          this.toggleView();
        }
      },
      /** @param {Event} e */
      "@change"(e) {
        if (from(e)?.classList.contains("drive-select")) this.selected = selectedIds().length;
      },
      "@htmx:after-settle.window"() {
        this.selected = selectedIds().length;
      },
      /** @param {DragEvent} e */
      "@dragstart"(e) {
        const row = from(e)?.closest(".drive-item");
        const id = row instanceof HTMLElement ? row.dataset.id : undefined;
        if (!id || !e.dataTransfer) return;
        const ids = selectedIds().includes(id) ? selectedIds() : [id];
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
      /** @param {Event} e */
      "@change"(e) {
        const input = e.target;
        if (!(input instanceof HTMLInputElement)) return;
        const files = [...(input.files ?? [])].map((file) => {
          const parts = (file.webkitRelativePath || "").split("/");
          return { file, dir: parts.slice(0, -1).join("/") };
        });
        input.value = "";
        this.enqueue(files, this.folderId());
      },
    },
    dropzone: {
      ":class"() {
        return this.dragging ? "drive-body dragging" : "drive-body";
      },
      /** @param {DragEvent} e */
      "@dragover"(e) {
        e.preventDefault();
        if (e.dataTransfer?.types.includes("Files")) this.dragging = true;
      },
      /** @param {DragEvent} e */
      "@dragleave"(e) {
        const zone = e.currentTarget;
        if (!(zone instanceof Node) || !(e.relatedTarget instanceof Node) || !zone.contains(e.relatedTarget)) this.dragging = false;
      },
      /** @param {DragEvent} e */
      async "@drop"(e) {
        e.preventDefault();
        this.dragging = false;
        if (!e.dataTransfer) return;
        const target = from(e)?.closest('.drive-item[data-kind="folder"], [data-drop-folder]');
        const targetId = target instanceof HTMLElement ? target.dataset.id || target.dataset.dropFolder || "" : "";
        const ids = e.dataTransfer.getData("application/x-drive-ids");
        if (ids) {
          if (!targetId || ids.split(",").includes(targetId)) return;
          try {
            await api("/api/v1/move", { ids: ids.split(","), targetId });
            changed();
          } catch (err) {
            toast(messageOf(err));
          }
          return;
        }
        this.enqueue(await filesFromDrop(e.dataTransfer), targetId || this.folderId());
      },
    },
    /** @param {Picked[]} files @param {string} parentId */
    enqueue(files, parentId) {
      for (const { file, dir } of files) {
        /** @type {Upload} */
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
      while (this.running < CONCURRENCY) {
        const next = this.queue.shift();
        if (!next) return;
        this.start(next);
      }
    },
    /** @param {Upload} entry */
    start(entry) {
      const u = this.uploads.find((x) => x.key === entry.key) ?? entry;
      this.running++;
      u.status = "Uploading";
      /** @param {string} status */
      const finish = (status) => {
        u.status = status;
        u.active = false;
        this.running--;
        this.pump();
        changed();
      };
      const upload = resumableUpload(entry.file, {
        endpoint: "/api/v1/uploads",
        chunkSize: 8 * 1024 * 1024,
        retryDelays: [0, 1000, 2000, 3000, 5000, 8000, 10000, 15000, 20000, 30000],
        metadata: { filename: u.file.name, filetype: u.file.type, parentId: u.parentId, relativePath: u.dir, conflict: this.conflict },
        onProgress: (sent, total) => {
          u.sent = sent;
          u.pct = total ? Math.round((sent / total) * 100) : 100;
        },
        onRetry: () => {
          u.status = "Connection lost, retrying…";
        },
        onSuccess: () => {
          u.sent = u.size;
          u.pct = 100;
          finish("Done");
        },
        onError: (message) => finish(`Failed: ${message.slice(0, 200)}`),
      });
      tusUploads.set(u.key, upload);
    },
    /** @param {Upload} u */
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
