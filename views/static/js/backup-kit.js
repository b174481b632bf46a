// The emergency kit's Print button (the page allows no inline script).
document.querySelector("[data-print]")?.addEventListener("click", () => window.print());
