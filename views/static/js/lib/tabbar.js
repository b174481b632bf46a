// A tab bar (`.tabbar`: Photos, the dashboard, Drive's filters) is one row that scrolls sideways on a phone (app.css):
// the current tab is scrolled to the middle of it when it would be out of view, without moving the page. Again once
// every stylesheet is in (a page's own, photos.css, is added by its script and changes the tabs' widths).
const showCurrentTabs = () => {
  for (const bar of document.querySelectorAll(".tabbar")) {
    const current = bar.querySelector('[aria-current="page"], a.active');
    if (!current || bar.scrollWidth <= bar.clientWidth) continue;
    const box = bar.getBoundingClientRect();
    const tab = current.getBoundingClientRect();
    if (tab.left >= box.left && tab.right <= box.right) continue;
    bar.scrollLeft += tab.left - box.left - (box.width - tab.width) / 2;
  }
};
showCurrentTabs();
if (document.readyState !== "complete") addEventListener("load", showCurrentTabs, { once: true });
