// Photos: the windowed timeline (justified rows per day, only sections near the viewport hold tiles), the scrubber,
// selection, PhotoSwipe lightbox with the info panel, albums dialog, uploads into Drive's Photos/YYYY/MM, the map.
// Everything the server sends here is ids, numbers and escaped HTML fragments; text goes in with textContent.
(() => {
  const V = "/static/vendor/";
  const { csrf } = window.nas;
  const $ = (sel, root = document) => root.querySelector(sel);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  for (const href of ["/static/photos.css", `${V}photoswipe/photoswipe.css`, ...($("#photos-map") ? [`${V}leaflet/leaflet.css`] : [])]) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  async function api(url, body) {
    const res = await fetch(
      url,
      body === undefined
        ? { credentials: "same-origin", headers: { accept: "application/json" } }
        : {
            method: "POST",
            credentials: "same-origin",
            headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf() },
            body: JSON.stringify(body),
          },
    );
    const data = await res.json().catch(() => ({ error: `The server answered ${res.status}.` }));
    if (!res.ok) throw new Error(data.error ?? `The server answered ${res.status}.`);
    return data;
  }

  function toast(message, action) {
    const box = $("#toasts");
    if (!box) return;
    const t = el("div", "toast", message);
    t.setAttribute("role", "status");
    if (action) {
      const b = el("button", "link", action.label);
      b.type = "button";
      b.addEventListener("click", () => {
        action.run();
        t.remove();
      });
      t.append(" ", b);
    }
    box.appendChild(t);
    setTimeout(() => t.remove(), 8000);
  }

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const dayLabel = (ms) => {
    const d = new Date(ms);
    return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  };
  const duration = (ms) => {
    const s = Math.round((ms ?? 0) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };

  let thumbhash = null;
  const placeholder = (th) => {
    if (!th || !thumbhash) return null;
    try {
      return thumbhash.thumbHashToDataURL(Uint8Array.from(atob(th), (c) => c.charCodeAt(0)));
    } catch {
      return null;
    }
  };

  // ---- tiles, shared by the grid, the memories strip and the map's cluster list ----
  function tile(item) {
    const a = el("a", "photos-tile");
    a.href = item.o ? `/api/v1/files/${item.id}/content?inline=1` : `/media/preview/${item.id}`;
    a.dataset.id = item.id;
    if (item.t) a.setAttribute("aria-label", `${item.k === "video" ? "Video" : item.l ? "Live Photo" : "Photo"}, ${dayLabel(item.t)}`);
    const bg = placeholder(item.th);
    if (bg) a.style.backgroundImage = `url("${bg}")`;
    const img = el("img");
    img.alt = "";
    img.loading = "lazy";
    img.decoding = "async";
    img.src = `/drive/thumb/${item.id}`;
    a.appendChild(img);
    if (item.k === "video") a.appendChild(el("span", "photos-duration", duration(item.d)));
    if (item.f) a.appendChild(el("span", "photos-fav", "♥"));
    if (item.l) {
      a.dataset.live = item.l;
      a.appendChild(el("span", "photos-live", "LIVE"));
    }
    const check = el("button", "photos-check", "✓");
    check.type = "button";
    check.setAttribute("aria-label", "Select");
    a.appendChild(check);
    if (selection.has(item.id)) a.classList.add("selected");
    return a;
  }

  // ---- Live Photos: the motion plays over the still on hover (mouse) or a long press (touch) ----
  function playLive(t) {
    if (!t?.dataset.live || t.querySelector("video")) return;
    const v = el("video", "photos-live-video");
    v.muted = true;
    v.playsInline = true;
    v.autoplay = true;
    v.src = t.dataset.live;
    v.addEventListener("ended", () => v.remove());
    t.appendChild(v);
  }
  const stopLive = (t) => t?.querySelector(".photos-live-video")?.remove();
  document.addEventListener("mouseover", (e) => playLive(/** @type {Element} */ (e.target).closest?.(".photos-tile[data-live]")));
  document.addEventListener("mouseout", (e) => {
    const t = /** @type {Element} */ (e.target).closest?.(".photos-tile[data-live]");
    if (t && !t.contains(/** @type {Node | null} */ (e.relatedTarget))) stopLive(t);
  });
  let pressTimer = 0;
  document.addEventListener(
    "touchstart",
    (e) => {
      const t = /** @type {Element} */ (e.target).closest?.(".photos-tile[data-live]");
      if (t) pressTimer = setTimeout(() => playLive(t), 400);
    },
    { passive: true },
  );
  document.addEventListener(
    "touchend",
    (e) => {
      clearTimeout(pressTimer);
      stopLive(/** @type {Element} */ (e.target).closest?.(".photos-tile[data-live]"));
    },
    { passive: true },
  );

  // ---- selection ----
  const selection = new Set();
  let lastClicked = null;
  function refreshSelection() {
    const bar = $("#photos-selection");
    if (!bar) return;
    bar.hidden = selection.size === 0;
    $("#photos-selection-count").textContent = `${selection.size} selected`;
    document.querySelectorAll(".photos-tile").forEach((/** @type {HTMLElement} */ t) => t.classList.toggle("selected", selection.has(t.dataset.id)));
    document.body.classList.toggle("photos-selecting", selection.size > 0);
  }
  function toggle(id, on) {
    if (on ?? !selection.has(id)) selection.add(id);
    else selection.delete(id);
  }

  // ---- the grid ----
  const grid = $("#photos-grid");
  const sections = [];
  const loaded = new Map(); // month key → items
  let layout = null;
  const flatItems = () => sections.flatMap((s) => loaded.get(s.key) ?? []);
  const qs = () => `src=${encodeURIComponent(grid.dataset.source)}&p=${encodeURIComponent(grid.dataset.param)}`;
  const rowHeight = () => (grid.clientWidth < 500 ? 110 : 180);

  function estimate(n) {
    const w = Math.max(grid.clientWidth, 300);
    return 48 + Math.ceil((n * 1.4 * rowHeight()) / w) * (rowHeight() + 4) + 40;
  }

  function renderSection(s, items) {
    s.body.textContent = "";
    const width = s.body.clientWidth || grid.clientWidth;
    const days = new Map();
    for (const it of items) {
      const day = Math.floor(it.t / 86400000);
      if (!days.has(day)) days.set(day, []);
      days.get(day).push(it);
    }
    for (const [day, dayItems] of days) {
      const head = el("div", "photos-day");
      head.appendChild(el("h3", null, dayLabel(day * 86400000)));
      const pick = el("button", "link photos-pick-day", "Select day");
      pick.type = "button";
      pick.addEventListener("click", () => {
        const all = dayItems.every((i) => selection.has(i.id));
        dayItems.forEach((i) => toggle(i.id, !all));
        refreshSelection();
      });
      head.appendChild(pick);
      const box = el("div", "photos-rows");
      const geo = layout(
        dayItems.map((i) => ({ width: i.w || 1, height: i.h || 1 })),
        {
          containerWidth: width,
          targetRowHeight: rowHeight(),
          boxSpacing: 4,
          containerPadding: 0,
          maxNumRows: Infinity,
        },
      );
      box.style.height = `${geo.containerHeight}px`;
      geo.boxes.forEach((b, i) => {
        const t = tile(dayItems[i]);
        t.style.left = `${b.left}px`;
        t.style.top = `${b.top}px`;
        t.style.width = `${b.width}px`;
        t.style.height = `${b.height}px`;
        box.appendChild(t);
      });
      s.body.append(head, box);
    }
    s.el.style.height = "";
    s.height = s.el.offsetHeight;
  }

  async function load(s) {
    if (s.state !== "empty") return;
    s.state = "loading";
    try {
      const { items } = await api(`/photos/api/month/${s.key}?${qs()}`);
      loaded.set(s.key, items);
      if (s.state === "loading") {
        renderSection(s, items);
        s.state = "shown";
      }
    } catch (e) {
      s.state = "empty";
      toast(e.message);
    }
  }
  function unload(s) {
    if (s.state !== "shown") return;
    s.el.style.height = `${s.height}px`;
    s.body.textContent = "";
    s.state = "empty";
  }

  function scrubber(months) {
    const nav = $("#photos-scrubber");
    if (!nav) return;
    nav.textContent = "";
    let year = null;
    for (const m of months) {
      const b = el("a", "photos-scrub");
      b.href = `#m-${m.key}`;
      b.dataset.key = m.key;
      b.style.flexGrow = String(Math.max(m.n, 1));
      b.title = `${MONTHS[m.month - 1]} ${m.year}`;
      b.setAttribute("aria-label", `${MONTHS[m.month - 1]} ${m.year}`);
      if (m.year !== year) {
        b.appendChild(el("span", "photos-scrub-year", String(m.year)));
        b.dataset.year = String(m.year);
        year = m.year;
      }
      nav.appendChild(b);
    }
    const jump = (a) => {
      const s = a && sections.find((x) => x.key === a.dataset.key);
      if (s) window.scrollTo({ top: s.el.getBoundingClientRect().top + window.scrollY - 60 });
    };
    nav.addEventListener("click", (e) => {
      const a = e.target.closest(".photos-scrub");
      if (!a) return;
      e.preventDefault();
      jump(a);
    });
    // Dragging along the scrubber (mouse or finger) scrolls with it, month by month.
    let dragging = false;
    const under = (e) => document.elementFromPoint(nav.getBoundingClientRect().left + 4, e.clientY)?.closest(".photos-scrub");
    nav.addEventListener("pointerdown", (e) => {
      dragging = true;
      nav.setPointerCapture(e.pointerId);
    });
    nav.addEventListener("pointermove", (e) => {
      if (dragging) jump(under(e));
    });
    nav.addEventListener("pointerup", () => {
      dragging = false;
    });
    nav.addEventListener("pointercancel", () => {
      dragging = false;
    });
  }

  async function startGrid() {
    const [{ months }, jl, th] = await Promise.all([api(`/photos/api/buckets?${qs()}`), import(`${V}justified-layout.mjs`), import(`${V}thumbhash.mjs`)]);
    layout = jl.default;
    thumbhash = th;
    grid.removeAttribute("aria-busy");
    if (months.length === 0) {
      grid.appendChild(el("p", "muted", grid.dataset.empty));
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const s = /** @type {any} */ (e.target)._section;
          if (e.isIntersecting) load(s);
          else unload(s);
        }
      },
      { rootMargin: "1500px 0px" },
    );
    for (const m of months) {
      const node = el("section", "photos-month");
      node.id = `m-${m.key}`;
      node.dataset.key = m.key;
      const h = el("h2", null, `${MONTHS[m.month - 1]} ${m.year}`);
      const pickMonth = el("button", "link photos-pick-month", "Select month");
      pickMonth.type = "button";
      pickMonth.addEventListener("click", () => {
        const items = loaded.get(m.key) ?? [];
        const all = items.length > 0 && items.every((i) => selection.has(i.id));
        items.forEach((i) => toggle(i.id, !all));
        refreshSelection();
      });
      h.append(" ", pickMonth);
      const body = el("div", "photos-month-body");
      node.append(h, body);
      const s = { key: m.key, el: node, body, state: "empty", height: estimate(m.n) };
      node._section = s;
      node.style.height = `${s.height}px`;
      sections.push(s);
      grid.appendChild(node);
      observer.observe(node);
    }
    scrubber(months);
  }

  function tileClick(e, items) {
    const check = e.target.closest(".photos-check");
    const t = e.target.closest(".photos-tile");
    if (!t) return;
    e.preventDefault();
    const id = t.dataset.id;
    const list = items();
    if (check || e.shiftKey || e.ctrlKey || e.metaKey || selection.size > 0) {
      if (e.shiftKey && lastClicked) {
        const a = list.findIndex((i) => i.id === lastClicked);
        const b = list.findIndex((i) => i.id === id);
        if (a >= 0 && b >= 0) list.slice(Math.min(a, b), Math.max(a, b) + 1).forEach((i) => toggle(i.id, true));
      } else toggle(id);
      lastClicked = id;
      refreshSelection();
      return;
    }
    lastClicked = id;
    openLightbox(
      list,
      Math.max(
        0,
        list.findIndex((i) => i.id === id),
      ),
    );
  }

  // ---- lightbox ----
  // The lightbox's own buttons as inline SVG: symbol characters (ⓘ, 🗑) are missing from many fonts.
  const svg = (inner) =>
    `<svg class="photos-icn" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${inner}</svg>`;
  const ICONS = {
    info: svg('<circle cx="12" cy="12" r="9"/><path d="M12 11v5M12 7.5v.5"/>'),
    favourite: svg('<path d="M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z"/>'),
    download: svg('<path d="M12 4v11M7 10l5 5 5-5M5 20h14"/>'),
    album: svg('<rect x="4" y="4" width="16" height="16" rx="3"/><path d="M12 8v8M8 12h8"/>'),
    archive: svg('<rect x="3" y="4" width="18" height="5" rx="1"/><path d="M5 9v10h14V9M10 13h4"/>'),
    trash: svg('<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6"/>'),
  };
  let pswpModule = null;
  async function openLightbox(items, index) {
    pswpModule ??= await import(`${V}photoswipe/photoswipe.esm.min.js`);
    const PhotoSwipe = pswpModule.default;
    const dataSource = items.map((i) => {
      const preview = `/media/preview/${i.id}`;
      const w = i.w || 1440;
      const h = i.h || 1080;
      const fit = Math.min(1, 1440 / Math.max(w, h));
      if (i.k === "video")
        return {
          type: "video",
          id: i.id,
          width: w,
          height: h,
          video: i.v ? `/media/video/${i.id}` : `/api/v1/files/${i.id}/content?inline=1`,
          poster: preview,
          item: i,
        };
      // The preview first; zooming in past it loads the real pixels: the original when browsers show it as is (JPEG,
      // PNG, WebP, GIF, AVIF), else a full-resolution rendition the server makes on the first zoom (HEIC, TIFF, RAW).
      const src = i.o ? `/api/v1/files/${i.id}/content?inline=1` : i.z ? `/media/full/${i.id}` : preview;
      return {
        id: i.id,
        src,
        srcset: i.o || i.z ? `${preview} ${Math.round(w * fit)}w, ${src} ${w}w` : undefined,
        width: w,
        height: h,
        msrc: `/drive/thumb/${i.id}`,
        item: i,
      };
    });
    const pswp = new PhotoSwipe({ dataSource, index, bgOpacity: 1, showHideAnimationType: "fade", secondaryZoomLevel: 2, maxZoomLevel: 4 });
    const panel = el("aside", "photos-info-panel");
    panel.id = "photos-info-panel";
    panel.hidden = true;
    const current = () => dataSource[pswp.currIndex];
    const refreshInfo = async () => {
      if (panel.hidden || !current()) return;
      const res = await fetch(`/photos/api/info/${current().id}`, { credentials: "same-origin" });
      panel.innerHTML = await res.text(); // escaped by the server's view
    };
    pswp.addFilter("isContentZoomable", (zoomable, content) => (content.data.type === "video" ? false : zoomable));
    pswp.on("contentLoad", (e) => {
      const { content } = e;
      if (content.data.type !== "video") return;
      e.preventDefault();
      content.element = el("div", "photos-video-slide");
      const v = el("video");
      v.controls = true;
      v.playsInline = true;
      v.preload = "metadata";
      v.poster = content.data.poster;
      v.src = content.data.video;
      content.element.appendChild(v);
    });
    pswp.on("change", () => {
      pswp.element?.querySelectorAll("video").forEach((v) => {
        if (!pswp.currSlide?.container.contains(v)) v.pause();
      });
      refreshInfo();
      syncFav();
    });
    const favButton = { el: null };
    const syncFav = () => favButton.el?.setAttribute("aria-pressed", current()?.item.f ? "true" : "false");
    pswp.on("uiRegister", () => {
      pswp.ui.registerElement({ name: "info", order: 15, isButton: true, title: "Info (i)", html: ICONS.info, onClick: toggleInfo });
      pswp.ui.registerElement({
        name: "favourite",
        order: 16,
        isButton: true,
        title: "Favourite",
        html: ICONS.favourite,
        onInit: (b) => {
          favButton.el = b;
          syncFav();
        },
        onClick: async () => {
          const d = current();
          const on = !d.item.f;
          await api("/photos/api/favourite", { ids: [d.id], on });
          d.item.f = on;
          syncFav();
        },
      });
      pswp.ui.registerElement({
        name: "download",
        order: 17,
        isButton: true,
        title: "Download original",
        html: ICONS.download,
        onClick: () => {
          const a = el("a");
          a.href = `/api/v1/files/${current().id}/content`;
          a.download = "";
          document.body.appendChild(a);
          a.click();
          a.remove();
        },
      });
      pswp.ui.registerElement({
        name: "album",
        order: 18,
        isButton: true,
        title: "Add to album",
        html: ICONS.album,
        onClick: async () => {
          const id = current().id;
          const choice = await chooseAlbum();
          if (!choice) return;
          if (choice.name) await api("/photos/albums", { name: choice.name, ids: [id] });
          else await api(`/photos/albums/${choice.id}/add`, { ids: [id] });
          toast(choice.name ? `Album “${choice.name}” created.` : "Added to the album.");
          refreshInfo();
        },
      });
      pswp.ui.registerElement({
        name: "archive",
        order: 19,
        isButton: true,
        title: "Archive (leaves the timeline)",
        html: ICONS.archive,
        onClick: async () => {
          const id = current().id;
          const on = grid?.dataset.source !== "archive";
          await api("/photos/api/archive", { ids: [id], on });
          toast(on ? "Archived: it stays in Drive, albums and search." : "Back in the timeline.", {
            label: "Undo",
            run: async () => {
              await api("/photos/api/archive", { ids: [id], on: !on });
              reloadShown();
            },
          });
          pswp.close();
          reloadShown();
        },
      });
      pswp.ui.registerElement({
        name: "delete",
        order: 19.5, // before close (20), which stays in the corner
        isButton: true,
        title: "Move to trash",
        html: ICONS.trash,
        onClick: async () => {
          const id = current().id;
          await trashWithUndo([id]);
          pswp.close();
        },
      });
    });
    const toggleInfo = () => {
      panel.hidden = !panel.hidden;
      refreshInfo();
    };
    const onKey = (e) => {
      if (e.key === "i" && !e.ctrlKey && !e.metaKey && !e.altKey) toggleInfo();
    };
    pswp.on("afterInit", () => pswp.element.appendChild(panel));
    pswp.on("openingAnimationEnd", () => pswp.element.classList.add("photos-opened"));
    document.addEventListener("keydown", onKey);
    pswp.on("destroy", () => document.removeEventListener("keydown", onKey));
    pswp.init();
  }

  function reloadShown() {
    for (const s of sections) {
      if (s.state === "shown") {
        s.state = "empty";
        s.height = s.el.offsetHeight;
        load(s);
      }
    }
  }

  async function trashWithUndo(ids) {
    const { ids: trashed } = await api("/photos/api/trash", { ids });
    reloadShown();
    toast(`${trashed.length} moved to the trash.`, {
      label: "Undo",
      run: async () => {
        await api("/photos/api/restore", { ids: trashed });
        reloadShown();
      },
    });
  }

  // ---- bulk actions ----
  async function chooseAlbum() {
    const dialog = $("#photos-album-dialog");
    const choices = $("#photos-album-choices");
    const { albums } = await api("/photos/api/albums");
    choices.textContent = "";
    for (const a of albums) {
      const label = el("label");
      const r = el("input");
      r.type = "radio";
      r.name = "album";
      r.value = a.id;
      label.append(r, ` ${a.name} (${a.n})`);
      choices.appendChild(label);
    }
    $("#photos-album-name").value = "";
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => {
          if (dialog.returnValue !== "ok") return resolve(null);
          const name = $("#photos-album-name").value.trim();
          const picked = choices.querySelector("input:checked")?.value;
          resolve(name ? { name } : picked ? { id: picked } : null);
        },
        { once: true },
      );
    });
  }

  $("#photos-selection")?.addEventListener("click", async (e) => {
    const act = e.target.closest("button")?.dataset.act;
    if (!act) return;
    const ids = [...selection];
    try {
      if (act === "clear") selection.clear();
      if (act === "zip") window.location.assign(`/api/v1/zip?ids=${encodeURIComponent(ids.join(","))}`);
      if (act === "favourite") {
        await api("/photos/api/favourite", { ids, on: true });
        toast(`${ids.length} added to Favourites.`);
        selection.clear();
        reloadShown();
      }
      if (act === "archive") {
        const on = grid?.dataset.source !== "archive";
        await api("/photos/api/archive", { ids, on });
        toast(on ? `${ids.length} archived.` : `${ids.length} back in the timeline.`);
        selection.clear();
        reloadShown();
      }
      if (act === "trash") {
        await trashWithUndo(ids);
        selection.clear();
      }
      if (act === "remove") {
        await api(`/photos/albums/${grid.dataset.param}/remove`, { ids });
        selection.clear();
        reloadShown();
      }
      if (act === "album") {
        const choice = await chooseAlbum();
        if (!choice) return;
        if (choice.name) {
          const { id } = await api("/photos/albums", { name: choice.name, ids });
          toast(`Album “${choice.name}” created.`, { label: "Open", run: () => window.location.assign(`/photos/albums/${id}`) });
        } else {
          await api(`/photos/albums/${choice.id}/add`, { ids });
          toast(`${ids.length} added to the album.`);
        }
        selection.clear();
      }
    } catch (err) {
      toast(err.message);
    }
    refreshSelection();
  });

  // ---- uploads: into Drive under Photos/YYYY/MM (by the file's date), through the same resumable endpoint ----
  $("#photos-upload")?.addEventListener("change", (e) => {
    const files = [...e.target.files];
    const total = files.length;
    const status = $("#photos-upload-status");
    let done = 0;
    let failed = 0;
    const report = () => {
      status.textContent = `Uploaded ${done} of ${total}${failed ? `, ${failed} failed` : ""}.`;
    };
    report();
    const next = () => {
      const file = files.shift();
      if (!file) return;
      const d = new Date(file.lastModified || Date.now());
      const dir = `Photos/${d.getFullYear()}/${String(d.getMonth() + 1).padStart(2, "0")}`;
      const upload = new window.tus.Upload(file, {
        endpoint: "/api/v1/uploads",
        chunkSize: 8 * 1024 * 1024,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000],
        removeFingerprintOnSuccess: true,
        headers: { "X-CSRF-Token": csrf() },
        metadata: { filename: file.name, filetype: file.type, parentId: "", relativePath: dir, conflict: "rename" },
        // "drive-changed" wakes the media progress fragment, which then polls while the worker processes.
        onSuccess: () => {
          done++;
          report();
          document.body.dispatchEvent(new CustomEvent("drive-changed"));
          next();
        },
        onError: () => {
          failed++;
          report();
          next();
        },
      });
      upload.findPreviousUploads().then((prev) => {
        if (prev.length) upload.resumeFromPreviousUpload(prev[0]);
        upload.start();
      });
    };
    status.textContent = `Uploading ${total}…`;
    next();
    next();
  });

  // ---- strips (memories) ----
  document.querySelectorAll(".photos-strip-row").forEach((row) => {
    const items = () =>
      [.../** @type {NodeListOf<HTMLElement>} */ (row.querySelectorAll(".photos-tile"))].map((t) => ({
        id: t.dataset.id,
        w: Number(t.dataset.w),
        h: Number(t.dataset.h),
        k: t.dataset.kind,
        o: false,
        v: true,
        f: false,
      }));
    row.addEventListener("click", (e) => tileClick(e, items));
  });

  // ---- map ----
  async function startMap() {
    const box = $("#photos-map");
    const L = window.L;
    const list = $("#photos-map-items");
    const offline = $("#photos-map-offline");
    const params = new URLSearchParams(window.location.search);
    const map = L.map(box, { worldCopyJump: true }).setView(
      params.has("lat") ? [Number(params.get("lat")), Number(params.get("lng"))] : [30, 0],
      params.has("lat") ? 12 : 2,
    );
    const tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    });
    let failures = 0;
    tiles.on("tileerror", () => {
      if (++failures >= 2) offline.hidden = false;
    });
    tiles.on("tileload", () => {
      failures = 0;
      offline.hidden = true;
    });
    if (!navigator.onLine) offline.hidden = false;
    tiles.addTo(map);
    const layer = L.layerGroup().addTo(map);
    let clusterItems = [];
    list.addEventListener("click", (e) => tileClick(e, () => clusterItems));
    async function showItems(items, title) {
      clusterItems = items;
      list.textContent = "";
      list.appendChild(el("h2", null, title));
      const row = el("div", "photos-strip-row");
      items.forEach((i) => row.appendChild(tile(i)));
      list.appendChild(row);
    }
    async function refresh() {
      const b = map.getBounds();
      const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
      const q = `w=${clamp(b.getWest(), -180, 180)}&s=${clamp(b.getSouth(), -90, 90)}&e=${clamp(b.getEast(), -180, 180)}&n=${clamp(b.getNorth(), -90, 90)}&z=${map.getZoom()}`;
      const { points } = await api(`/photos/api/clusters?${q}`);
      layer.clearLayers();
      for (const p of points) {
        const icon = L.divIcon({ className: p.cluster !== null ? "photos-pin cluster" : "photos-pin", html: String(p.n), iconSize: [36, 36] });
        const m = L.marker([p.lat, p.lng], { icon, keyboard: true, title: p.cluster !== null ? `${p.n} photos` : "1 photo" }).addTo(layer);
        m.on("click", async () => {
          if (p.cluster !== null) {
            const { items } = await api(`/photos/api/cluster/${p.cluster}`);
            showItems(items, `${items.length} photos here`);
          } else if (p.item) {
            openLightbox([p.item], 0);
          }
        });
      }
    }
    map.on("moveend", refresh);
    refresh();
  }

  // The pipeline finished what was pending (the progress fragment stopped polling): offer the new photos.
  const busy = () => document.getElementById("media-progress")?.getAttribute("hx-trigger")?.startsWith("load") ?? false;
  let wasBusy = busy();
  document.body.addEventListener("htmx:afterSwap", () => {
    const now = busy();
    if (grid && wasBusy && !now) toast("New photos are ready.", { label: "Show", run: () => window.location.reload() });
    wasBusy = now;
  });

  if (grid) {
    grid.addEventListener("click", (e) => tileClick(e, flatItems));
    startGrid().catch((e) => toast(e.message));
  } else {
    import(`${V}thumbhash.mjs`).then((m) => (thumbhash = m));
  }
  if ($("#photos-map") && window.L) startMap().catch((e) => toast(e.message));
  let resize = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resize);
    resize = setTimeout(
      () =>
        sections.forEach((s) => {
          if (s.state === "shown") renderSection(s, loaded.get(s.key));
        }),
      200,
    );
  });
})();
