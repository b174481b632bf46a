// Share pages: the gallery's lightbox (the vendored PhotoSwipe Photos uses: swipe, zoom, videos that play) and the
// drop box's uploads with progress. Addresses come from the server's markup; text goes in with textContent.
(() => {
  const V = "/static/vendor/";
  const $ = (sel, root = document) => root.querySelector(sel);

  // ---- gallery lightbox ----
  const gallery = $("#share-gallery");
  if (gallery) {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = `${V}photoswipe/photoswipe.css`;
    document.head.appendChild(css);
    const tiles = [...gallery.querySelectorAll("a.share-item")];
    /** Sizes: the media pipeline's when known, else the thumbnail's shape (the preview keeps the picture's aspect). */
    const sizeOf = (a) => {
      const w = Number(a.dataset.w);
      const h = Number(a.dataset.h);
      if (w > 0 && h > 0) return { w, h };
      const img = a.querySelector("img");
      if (img?.naturalWidth) {
        const scale = 1440 / Math.max(img.naturalWidth, img.naturalHeight);
        return { w: Math.round(img.naturalWidth * scale), h: Math.round(img.naturalHeight * scale) };
      }
      return { w: 1280, h: 720 };
    };
    let pswpModule = null;
    const open = async (index) => {
      pswpModule ??= await import(`${V}photoswipe/photoswipe.esm.min.js`);
      const PhotoSwipe = pswpModule.default;
      const dataSource = tiles.map((a) => {
        const { w, h } = sizeOf(a);
        return a.dataset.kind === "video"
          ? { type: "video", video: a.href, width: w, height: h, caption: a.dataset.caption }
          : { src: a.href, msrc: a.dataset.thumb, width: w, height: h, caption: a.dataset.caption, alt: a.querySelector("img")?.alt ?? "" };
      });
      const pswp = new PhotoSwipe({ dataSource, index, bgOpacity: 0.95, showHideAnimationType: "fade" });
      pswp.addFilter("isContentZoomable", (zoomable, content) => (content.data.type === "video" ? false : zoomable));
      pswp.on("contentLoad", (e) => {
        const { content } = e;
        if (content.data.type !== "video") return;
        e.preventDefault();
        content.element = document.createElement("div");
        content.element.className = "share-lightbox-video";
        const v = document.createElement("video");
        v.controls = true;
        v.playsInline = true;
        v.preload = "metadata";
        v.src = content.data.video;
        content.element.appendChild(v);
      });
      pswp.on("change", () => {
        pswp.element?.querySelectorAll("video").forEach((v) => {
          if (!pswp.currSlide?.container.contains(v)) v.pause();
        });
      });
      pswp.on("uiRegister", () => {
        pswp.ui.registerElement({
          name: "share-caption",
          order: 9,
          isButton: false,
          appendTo: "root",
          className: "pswp__share-caption",
          onInit: (el) => {
            const update = () => (el.textContent = pswp.currSlide?.data.caption || "");
            pswp.on("change", update);
            update();
          },
        });
      });
      pswp.init();
    };
    tiles.forEach((a, i) =>
      a.addEventListener("click", (e) => {
        e.preventDefault();
        open(i);
      }),
    );
  }

  // ---- drop box ----
  const box = $("#share-dropbox");
  if (box) {
    const form = $("#share-dropbox-form", box);
    const list = $("#share-dropbox-progress", box);
    const csrf = $('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
    /** One file per request, its bytes as the body: progress per file, and a failure costs only that file. */
    const send = (file) =>
      new Promise((resolve) => {
        const li = document.createElement("li");
        li.className = "spread";
        const name = document.createElement("span");
        name.textContent = file.name;
        const state = document.createElement("span");
        state.className = "muted small";
        const bar = document.createElement("progress");
        bar.max = 100;
        bar.value = 0;
        li.append(name, bar, state);
        list.appendChild(li);
        const xhr = new XMLHttpRequest();
        xhr.open("POST", `${box.dataset.upload}?name=${encodeURIComponent(file.name)}`);
        xhr.setRequestHeader("x-csrf-token", csrf);
        xhr.setRequestHeader("content-type", "application/octet-stream");
        xhr.setRequestHeader("accept", "application/json");
        xhr.upload.onprogress = (e) => {
          if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
        };
        xhr.onload = () => {
          let message = "";
          try {
            message = JSON.parse(xhr.responseText).error ?? "";
          } catch {}
          const ok = xhr.status >= 200 && xhr.status < 300;
          bar.value = ok ? 100 : bar.value;
          state.textContent = ok ? "sent" : message || `failed (${xhr.status})`;
          li.dataset.state = ok ? "sent" : "failed";
          resolve(ok);
        };
        xhr.onerror = () => {
          state.textContent = "failed: the connection broke";
          li.dataset.state = "failed";
          resolve(false);
        };
        xhr.send(file);
      });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const input = $("#share-dropbox-files", form);
      const files = [...input.files];
      for (const f of files) await send(f);
      input.value = "";
    });
  }
})();
