// Resumable uploads (tus, the vendored tus-js-client): Drive, Photos and Dashboard → System send files the same way.
import { csrf } from "./http.js";

/**
 * @typedef {object} ResumableOptions
 * @property {string} endpoint Where uploads are created (the server's tus endpoint).
 * @property {number} chunkSize
 * @property {number[]} retryDelays
 * @property {Record<string, string>} metadata
 * @property {(sent: number, total: number) => void} [onProgress]
 * @property {() => void} [onRetry] The connection was lost or the server failed: the upload tries again.
 * @property {() => void} onSuccess
 * @property {(message: string) => void} onError The server's answer (or the error) in a sentence.
 */

/**
 * Starts (or resumes, when this browser sent part of the same file before) an upload. A lost connection or a server
 * error is retried; a refusal (4xx) and a full disk (507) are not.
 * @param {File} file
 * @param {ResumableOptions} o
 * @returns {TusUpload}
 */
export function resumableUpload(file, o) {
  const upload = new window.tus.Upload(file, {
    endpoint: o.endpoint,
    chunkSize: o.chunkSize,
    retryDelays: o.retryDelays,
    removeFingerprintOnSuccess: true,
    headers: { "X-CSRF-Token": csrf() },
    metadata: o.metadata,
    onProgress: o.onProgress,
    onShouldRetry: (err) => {
      const status = err?.originalResponse?.getStatus?.() ?? 0;
      const again = status === 0 || (status >= 500 && status !== 507);
      if (again) o.onRetry?.();
      return again;
    },
    onSuccess: o.onSuccess,
    onError: (err) => o.onError(String(err?.originalResponse?.getBody?.() || err.message || "error").trim()),
  });
  upload.findPreviousUploads().then((previous) => {
    if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  });
  return upload;
}
