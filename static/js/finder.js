// The clinic finder (templates/content/_finder.html), enhanced: "Use my location" asks the browser
// where it is (no map service: the page's own server sorts the clinics), and a search updates the
// results in place, read out by the status line. Without this script the form still searches.
// What it says comes from the form's data-say-* attributes, written in the page's language.
(() => {
  const form = document.querySelector("form[data-finder]");
  const status = document.querySelector("[data-finder-status]");
  const near = form && form.querySelector("[data-finder-near]");
  const input = form && form.querySelector("input[name=q]");

  function say(name) {
    return form.dataset[name] || "";
  }

  function announce(text) {
    status.textContent = text;
  }

  // The fields the search keeps (booking: specialist, reason), without the town or ZIP.
  function carried() {
    const params = new URLSearchParams(new FormData(form));
    params.delete("q");
    return params;
  }

  function swapIn(page) {
    document.querySelectorAll("[data-finder-swap]").forEach((old) => {
      const fresh = page.getElementById(old.id);
      if (fresh) old.replaceWith(document.importNode(fresh, true));
    });
    const freshInput = page.querySelector("form[data-finder] input[name=q]");
    if (freshInput) {
      input.className = freshInput.className;
      input.setAttribute("aria-describedby", freshInput.getAttribute("aria-describedby"));
      if (freshInput.hasAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }

  async function show(url) {
    announce(say("saySearching"));
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      swapIn(page);
      history.pushState(null, "", url);
      const said = page.querySelector("[data-finder-status]");
      announce(said ? said.textContent.trim() : "");
    } catch (error) {
      window.location.assign(url); // the plain page does the same job
    }
  }

  function urlWith(params) {
    return `${form.action}?${params.toString()}`;
  }

  function searchHere() {
    near.disabled = true;
    announce(say("sayLocating"));
    navigator.geolocation.getCurrentPosition(
      (position) => {
        near.disabled = false;
        const params = carried();
        // About 100 m: close enough to sort clinics, and no more of the visitor's position than needed.
        params.set("lat", position.coords.latitude.toFixed(3));
        params.set("lng", position.coords.longitude.toFixed(3));
        input.value = "";
        show(urlWith(params));
      },
      () => {
        near.disabled = false;
        announce(say("sayNoLocation"));
        input.focus();
      },
      { timeout: 15000, maximumAge: 600000 },
    );
  }

  if (form && status) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      show(urlWith(new URLSearchParams(new FormData(form))));
    });
    if (near && "geolocation" in navigator) {
      near.hidden = false;
      near.addEventListener("click", searchHere);
    }
    // Back and forward: the address changed without a page load, so load it.
    window.addEventListener("popstate", () => window.location.reload());
  }
})();
