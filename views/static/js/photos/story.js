// A memory's story (views/photos/Memories.tsx StoryPage): one photo at a time. Tap or click the right two thirds (or
// swipe left) for the next, the left third (or swipe right) for the previous; arrow keys, Space, P to pause, Escape
// to close. It advances by itself every few seconds unless paused, hidden in a background tab, or the person prefers
// reduced motion (then it waits for them).

const SLIDE_MS = 5000;
/** A horizontal move longer than this between press and release is a swipe, not a tap. */
const SWIPE_PX = 40;

document.addEventListener("alpine:init", () => {
  window.Alpine.data("memoryStory", () => ({
    index: 0,
    count: 0,
    playing: false,
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    timer: undefined,
    /** @type {{ x: number; y: number } | null} */
    pressed: null,
    swiped: false,
    init() {
      this.count = Number(this.$root.dataset.count) || 0;
      this.$root.dataset.ready = ""; // from now on the classes say which photo shows (before: the first, by CSS)
      this.show();
      this.playing = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      document.addEventListener("visibilitychange", () => this.schedule());
      window.addEventListener("keydown", (e) => this.key(e));
      this.schedule();
    },
    get position() {
      return `${this.index + 1} of ${this.count}`;
    },
    get playLabel() {
      return this.playing ? "Pause" : "Play";
    },
    /** The next automatic step, when playing and visible; none after the last photo. */
    schedule() {
      clearTimeout(this.timer);
      if (this.playing && !document.hidden && this.index < this.count - 1) this.timer = setTimeout(() => this.go(this.index + 1), SLIDE_MS);
    },
    /** @param {number} i */
    go(i) {
      this.index = Math.max(0, Math.min(this.count - 1, i));
      this.show();
      this.schedule();
    },
    /** Marks the photo shown, the next one (laid out unseen, so it loads ahead) and the progress bars. */
    show() {
      this.$root.querySelectorAll(".story-slide").forEach((slide, i) => {
        slide.classList.toggle("current", i === this.index);
        slide.classList.toggle("next", i === this.index + 1);
      });
      this.$root.querySelectorAll(".story-bars span").forEach((bar, i) => {
        bar.classList.toggle("seen", i < this.index);
        bar.classList.toggle("current", i === this.index);
      });
    },
    next() {
      this.go(this.index + 1);
    },
    prev() {
      this.go(this.index - 1);
    },
    toggle() {
      this.playing = !this.playing;
      this.schedule();
    },
    close() {
      window.location.assign(this.$root.dataset.back || "/photos");
    },
    /** @param {PointerEvent} e */
    press(e) {
      this.pressed = { x: e.clientX, y: e.clientY };
      this.swiped = false;
    },
    /** @param {PointerEvent} e */
    release(e) {
      if (!this.pressed) return;
      const dx = e.clientX - this.pressed.x;
      this.pressed = null;
      if (Math.abs(dx) < SWIPE_PX) return;
      this.swiped = true;
      if (dx < 0) this.next();
      else this.prev();
    },
    /** @param {MouseEvent} e */
    tap(e) {
      if (this.swiped) {
        this.swiped = false;
        return;
      }
      const box = /** @type {HTMLElement} */ (e.currentTarget).getBoundingClientRect();
      if (e.clientX < box.left + box.width / 3) this.prev();
      else this.next();
    },
    /** @param {KeyboardEvent} e */
    key(e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const onControl = e.target instanceof HTMLElement && e.target.closest("button, a, input");
      if (e.key === "ArrowRight" || (e.key === " " && !onControl)) this.next();
      else if (e.key === "ArrowLeft") this.prev();
      else if (e.key === "Escape") this.close();
      else if (e.key === "p" || e.key === "P") this.toggle();
      else return;
      e.preventDefault();
    },
  }));
});
