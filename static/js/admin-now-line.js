// The day view's "now" line, moved along every minute. The page draws it where the server's
// clock said when the page was made; this only adds the minutes since, so a desk computer with
// a wrong clock still sees the clinic's time. Free half-hours that have begun go grey (the
// booking form refuses them anyway).
(() => {
  const MINUTE = 60 * 1000;

  function place(table, line, now) {
    const rows = [...table.tBodies[0].rows];
    const end = Number(table.dataset.end);
    let index = rows.findIndex((row, i) => i === rows.length - 1 || Number(rows[i + 1].dataset.start) > now);
    if (index < 0) index = rows.length - 1;
    const row = rows[index];
    const start = Number(row.dataset.start);
    const next = index + 1 < rows.length ? Number(rows[index + 1].dataset.start) : end;
    const fraction = Math.min(1, Math.max(0, (now - start) / (next - start)));
    for (const old of table.querySelectorAll("tr.now-row")) old.classList.remove("now-row");
    row.classList.add("now-row");
    row.cells[0].append(line);
    line.className = "now-line";
    line.style.top = `${(fraction * 100).toFixed(1)}%`;  // CSSOM, allowed by the Content-Security-Policy
    for (const cell of table.querySelectorAll("td.slot-free[data-start]")) {
      if (Number(cell.dataset.start) < now) cell.classList.add("slot-gone");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const table = document.querySelector("table.day-grid[data-now]");
    const line = table && table.querySelector(".now-line");
    if (!line) return;
    const serverNow = Number(table.dataset.now);
    const loaded = Date.now();
    const label = line.querySelector(".now-label");
    const format = new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", timeZone: table.dataset.zone || undefined });
    setInterval(() => {
      const now = serverNow + (Date.now() - loaded);
      if (now >= Number(table.dataset.end)) return;
      place(table, line, now);
      if (label && table.dataset.zone) label.textContent = `Now ${format.format(now)}`;
    }, MINUTE);
  });
})();
