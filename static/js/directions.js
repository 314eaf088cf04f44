// Progressive enhancement: on an iPhone, iPad or Mac the "Directions" link opens Apple Maps, the
// maps app that is always there; everywhere else it stays Google's link (the Android Maps app).
const apple = /iPhone|iPad|iPod|Macintosh/.test(navigator.userAgent);
if (apple) {
  document.querySelectorAll("a[data-apple-maps]").forEach((link) => {
    link.href = link.dataset.appleMaps;
  });
}
