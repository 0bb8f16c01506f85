/* Small enhancements of the portal; every page works without this file. */
(function () {
  "use strict";

  function number(value) {
    var n = parseFloat(String(value || "").replace(/[,，\s]/g, ""));
    return isNaN(n) ? 0 : n;
  }

  // The budget total follows the lines as they are typed; the server checks it again on save.
  function updateBudgetTotal() {
    var out = document.getElementById("budget-total");
    if (!out) return;
    var cents = 0;
    document.querySelectorAll("#budget-table .budget-amount").forEach(function (input) {
      cents += Math.round(number(input.value) * 100);
    });
    out.textContent = (cents / 100).toFixed(2);
    var requested = document.querySelector(out.getAttribute("data-requested"));
    var diff = document.getElementById("budget-diff");
    if (requested && diff) {
      var gap = Math.round(number(requested.value) * 100) - cents;
      diff.textContent = gap === 0 ? (diff.getAttribute("data-equal") || "")
        : (gap > 0 ? (diff.getAttribute("data-under") || "−") : (diff.getAttribute("data-over") || "+")) + " " + (Math.abs(gap) / 100).toFixed(2);
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && (event.target.matches(".budget-amount") || event.target.id === "id_requested_amount")) {
      updateBudgetTotal();
    }
  });
  document.addEventListener("DOMContentLoaded", updateBudgetTotal);

  // A field left by clicking Save is autosaved on its way out; let that save finish first so the
  // form is sent with the version the autosave produced.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.id || form.id !== "section-form" || !form.querySelector(".htmx-request")) return;
    event.preventDefault();
    var submitter = event.submitter;
    var done = function () {
      if (form.querySelector(".htmx-request")) return;
      document.body.removeEventListener("htmx:afterSettle", done);
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    };
    document.body.addEventListener("htmx:afterSettle", done);
  }, true);
  // One click submits once: see forms.js (busy forms).
})();
