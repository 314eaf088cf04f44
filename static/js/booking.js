// Progressive enhancement only: every page works without this file.
// After a failed submit, move focus to the list of problems so that screen reader
// and keyboard users hear what to fix first.
const summary = document.getElementById("form-errors");
if (summary) {
  summary.focus();
}
