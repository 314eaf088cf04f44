// A list filter with too many choices (templates/admin/clinics/search_filter.html): picking one
// in the type-to-find box opens the list filtered by it; clearing it opens the list without it.
// Select2 announces changes through jQuery, so the listener is django.jQuery's.
"use strict";
window.addEventListener("load", function () {
  if (!window.django || !django.jQuery) return;
  django.jQuery(".search-filter__select").on("change", function () {
    const parameter = this.dataset.filterParameter;
    if (!this.value) {
      window.location.href = this.dataset.clearUrl;
      return;
    }
    const url = new URL(this.dataset.clearUrl, window.location.href);
    url.searchParams.set(parameter, this.value);
    url.searchParams.delete("p");
    window.location.href = url.toString();
  });
});
