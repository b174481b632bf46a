// Dashboard → System: a resumable bundle upload (lib/uploads.js, as Drive's), then the update card is refreshed so it
// shows RAUC's check of the bundle.
import { resumableUpload } from "./lib/uploads.js";

document.addEventListener("alpine:init", () => {
  window.Alpine.data("bundleUpload", () => ({
    status: "",
    upload() {
      const input = /** @type {HTMLInputElement} */ (this.$refs.file);
      const file = input.files?.[0];
      if (!file) return;
      resumableUpload(file, {
        endpoint: "/dashboard/system/update/uploads",
        chunkSize: 16 * 1024 * 1024,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000],
        metadata: { filename: file.name },
        onProgress: (sent, total) => {
          this.status = `Uploading… ${total ? Math.round((sent / total) * 100) : 100}%`;
        },
        onSuccess: () => {
          this.status = "Uploaded. Checking the bundle…";
          input.value = "";
          window.htmx.ajax("GET", "/dashboard/system/fragments/update", { target: "#update-status", swap: "outerHTML" });
        },
        onError: (message) => {
          this.status = `Upload failed: ${message.slice(0, 300)}`;
        },
      });
    },
  }));
});
