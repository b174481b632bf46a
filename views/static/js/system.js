// Dashboard → System: a resumable bundle upload through tus (the same client Drive uses), then the update card
// is refreshed so it shows RAUC's check of the bundle.
(() => {
  const { csrf } = window.nas;
  document.addEventListener("alpine:init", () => {
    window.Alpine.data("bundleUpload", () => ({
      status: "",
      upload() {
        const input = /** @type {HTMLInputElement} */ (this.$refs.file);
        const file = input.files?.[0];
        if (!file) return;
        const upload = new window.tus.Upload(file, {
          endpoint: "/dashboard/system/update/uploads",
          chunkSize: 16 * 1024 * 1024,
          retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000],
          removeFingerprintOnSuccess: true,
          headers: { "X-CSRF-Token": csrf() },
          metadata: { filename: file.name },
          onProgress: (sent, total) => {
            this.status = `Uploading… ${total ? Math.round((sent / total) * 100) : 100}%`;
          },
          onShouldRetry: (err) => {
            const code = err?.originalResponse?.getStatus?.() ?? 0;
            return code === 0 || (code >= 500 && code !== 507);
          },
          onSuccess: () => {
            this.status = "Uploaded. Checking the bundle…";
            input.value = "";
            window.htmx.ajax("GET", "/dashboard/system/fragments/update", { target: "#update-status", swap: "outerHTML" });
          },
          onError: (err) => {
            const body = err?.originalResponse?.getBody?.();
            this.status = `Upload failed: ${(body || err.message || "error").toString().trim().slice(0, 300)}`;
          },
        });
        upload.findPreviousUploads().then((previous) => {
          if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
          upload.start();
        });
      },
    }));
  });
})();
