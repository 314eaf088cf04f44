// "Book a caller": picking a returning patient in the search fills in their details; "New patient"
// clears the pick and what it filled in. Without this script the form still books: the pick alone
// links the visit to the record, and the details are typed.
"use strict";
{
  const FIELDS = ["first_name", "last_name", "phone", "email", "date_of_birth", "payment"];
  let lastTerm = "";

  // What was typed in the search box: a patient of another clinic is found by their exact phone
  // number or email address, and their details answer only to that (the details URL's ?term=).
  document.addEventListener("input", (event) => {
    if (event.target.classList && event.target.classList.contains("select2-search__field")) {
      lastTerm = event.target.value;
    }
  });

  function start() {
    const select = document.querySelector("select[data-details-url]");
    if (!select || !window.django || !window.django.jQuery) {
      return;
    }
    const form = select.form;
    const input = (name) => form.elements.namedItem(name);
    // The values this script put in, so that a new pick or "New patient" clears only those.
    let filled = {};
    if (select.value) {
      FIELDS.forEach((name) => { filled[name] = input(name) ? input(name).value : ""; });
    }

    const status = document.createElement("p");
    status.className = "help patient-pick-status";
    status.setAttribute("role", "status");
    const newPatient = document.createElement("button");
    newPatient.type = "button";
    newPatient.className = "button patient-pick-new";
    newPatient.textContent = "New patient";
    const row = select.closest(".form-row") || select.parentNode;
    row.appendChild(newPatient);
    row.appendChild(status);

    function clearFilled() {
      FIELDS.forEach((name) => {
        const field = input(name);
        if (field && name in filled && field.value === filled[name]) {
          field.value = "";
        }
      });
      filled = {};
    }

    function fill(details) {
      clearFilled();
      FIELDS.forEach((name) => {
        const field = input(name);
        if (field && details[name]) {
          field.value = details[name];
          filled[name] = details[name];
        }
      });
      status.textContent = `Filled in from ${details.name}'s record. Check the details with the caller.`;
    }

    async function picked() {
      if (!select.value) {
        return;
      }
      let url = select.dataset.detailsUrl.replace("{id}", encodeURIComponent(select.value));
      if (lastTerm) {
        url += `?term=${encodeURIComponent(lastTerm)}`;
      }
      status.textContent = "Looking up the patient…";
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        fill(await response.json());
      } catch (error) {
        status.textContent = "Their details could not be read: type them in.";
      }
    }

    window.django.jQuery(select).on("change", () => {
      if (select.value) {
        picked();
      } else {
        clearFilled();
        status.textContent = "";
      }
    });

    newPatient.addEventListener("click", () => {
      window.django.jQuery(select).val(null).trigger("change");
      clearFilled();
      status.textContent = "New patient: type their details below.";
      const first = input("first_name");
      if (first) {
        first.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}
