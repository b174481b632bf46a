// A tab bar (`.tabbar`: Photos, the dashboard, Drive's filters) is one row that scrolls sideways on a phone (app.css):
// the current tab is scrolled to the middle of it when it would be out of view, without moving the page, and an edge
// with more tabs beyond it fades (classes more-before / more-after). Again once every stylesheet is in (a page's own,
// photos.css, is added by its script and changes the tabs' widths).

/** @param {Element} bar */
const markEdges = (bar) => {
  const more = bar.scrollWidth - bar.clientWidth;
  bar.classList.toggle("more-before", more > 1 && bar.scrollLeft > 1);
  bar.classList.toggle("more-after", more > 1 && bar.scrollLeft < more - 1);
};

const showCurrentTabs = () => {
  for (const bar of document.querySelectorAll(".tabbar")) {
    const current = bar.querySelector('[aria-current="page"], a.active');
    if (current && bar.scrollWidth > bar.clientWidth) {
      const box = bar.getBoundingClientRect();
      const tab = current.getBoundingClientRect();
      if (tab.left < box.left || tab.right > box.right) bar.scrollLeft += tab.left - box.left - (box.width - tab.width) / 2;
    }
    markEdges(bar);
  }
};

for (const bar of document.querySelectorAll(".tabbar")) bar.addEventListener("scroll", () => markEdges(bar), { passive: true });
showCurrentTabs();
if (document.readyState !== "complete") addEventListener("load", showCurrentTabs, { once: true });
addEventListener("resize", () => document.querySelectorAll(".tabbar").forEach(markEdges), { passive: true });
