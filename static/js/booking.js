// Progressive enhancement only: every page works without this file.

// After a failed submit, move focus to the list of problems so that screen reader
// and keyboard users hear what to fix first.
const summary = document.getElementById("form-errors");
if (summary) {
  summary.focus();
}

// Step 2: the people, the days and the times are each one Tab stop; arrow keys, Home and End move within
// them (a roving tab stop), so a keyboard user does not walk through every time to get past.
function rovingTabStop(list) {
  const links = Array.from(list.querySelectorAll("a"));
  if (links.length < 2) return;
  const current = links.find((link) => link.getAttribute("aria-current") === "true") || links[0];
  links.forEach((link) => link.setAttribute("tabindex", link === current ? "0" : "-1"));
  const columns = () => {
    const top = links[0].getBoundingClientRect().top;
    const perRow = links.filter((link) => link.getBoundingClientRect().top === top).length;
    return Math.max(perRow, 1);
  };
  list.addEventListener("keydown", (event) => {
    const index = links.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: columns(),
      ArrowUp: -columns(),
      Home: -index,
      End: links.length - 1 - index,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = links[Math.min(Math.max(index + moves[event.key], 0), links.length - 1)];
    links.forEach((link) => link.setAttribute("tabindex", link === next ? "0" : "-1"));
    next.focus();
  });
}
document.querySelectorAll("[data-arrow-keys]").forEach(rovingTabStop);
