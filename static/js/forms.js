/* Confirmation before irreversible steps, and progress on slow ones. Every page works without this
   file: the server asks for the confirmation on a page of its own, and refuses a step sent without it. */
(function () {
  "use strict";

  // A form with data-confirm="<dialog id>" shows that dialog (the summary of what will happen)
  // before it is sent; confirming adds confirmed=1, which the server requires.
  // A submit button with data-no-confirm (e.g. "Save draft") sends the form without asking.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var id = form.getAttribute && form.getAttribute("data-confirm");
    if (!id) return;
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-no-confirm")) return;
    if (form.querySelector("input[name=confirmed]")) return;
    var dialog = document.getElementById(id);
    if (!dialog || typeof dialog.showModal !== "function") return;  // the server's page asks instead
    event.preventDefault();
    event.stopImmediatePropagation();
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue !== "1") return;  // the confirm button has value 1, cancel 0
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirmed";
      input.value = "1";
      form.appendChild(input);
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    });
    dialog.querySelectorAll("[data-copy]").forEach(function (el) {  // e.g. the running total, as typed
      var source = document.querySelector(el.getAttribute("data-copy"));
      if (source) el.textContent = source.textContent;
    });
    dialog.showModal();
    var ok = dialog.querySelector("button[value=\"1\"]");
    if (ok) ok.focus();
  }, true);

  // One click sends once: the button says what is happening ("正在提交…") and is disabled while the
  // request is on its way (disabled a moment later, so its own name and value are still sent).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !(form.classList.contains("submit-form") || form.classList.contains("busy-form"))) return;
    if (event.defaultPrevented) return;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    var button = event.submitter || form.querySelector("button[type=submit]");
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      if (button && button.getAttribute("data-busy")) {
        button.setAttribute("data-label", button.textContent);
        button.textContent = button.getAttribute("data-busy");
      }
      form.setAttribute("aria-busy", "true");
    }, 0);
  });

  // A link that makes a document (a PDF made on the spot) says so until the download starts.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-busy]");
    if (!link || link.getAttribute("aria-busy") === "true") return;
    var label = link.textContent;
    link.setAttribute("aria-busy", "true");
    link.textContent = link.getAttribute("data-busy");
    setTimeout(function () { link.textContent = label; link.removeAttribute("aria-busy"); }, 4000);
  });

  // Back to a page from the browser's cache: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      delete form.dataset.sent;
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = false;
        if (b.getAttribute("data-label")) b.textContent = b.getAttribute("data-label");
      });
    });
  });

  // A form shown again with errors: the focus goes to the error summary (or the first field in error).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
      summary.scrollIntoView({block: "start"});
      return;
    }
    var field = document.querySelector("[aria-invalid=true]");
    if (field) { field.focus(); field.scrollIntoView({block: "center"}); }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({block: "center"});
    field.focus();
  });

  // The score sheet's running total follows the points as they are typed; the server adds them up
  // again when the sheet is saved, and its total is the one that counts.
  function points(input) {
    var n = parseFloat(String(input.value || "").replace(/[,，\s]/g, ""));
    return isNaN(n) ? 0 : n;
  }
  function round2(n) { return (Math.round(n * 100) / 100).toString(); }
  function updateRunningTotal() {
    var out = document.getElementById("sheet-total");
    if (!out) return;
    var sum = 0, weighted = 0, weightedMax = 0, filled = 0, all = 0;
    document.querySelectorAll(".sheet-points").forEach(function (input) {
      var w = parseFloat(input.getAttribute("data-weight") || "1"), max = parseFloat(input.getAttribute("data-max") || "0");
      if (isNaN(w)) w = 1;
      all += 1;
      if (String(input.value).trim() !== "") filled += 1;
      sum += points(input);
      weighted += points(input) * w;
      weightedMax += (isNaN(max) ? 0 : max) * w;
    });
    out.textContent = round2(sum);
    var scaled = document.getElementById("sheet-total-scaled");
    if (scaled) scaled.textContent = weightedMax ? (weighted * 100 / weightedMax).toFixed(2) : "0.00";
    var count = document.getElementById("sheet-filled");
    if (count) count.textContent = filled + " / " + all;
  }
  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("sheet-points")) updateRunningTotal();
  });
  document.addEventListener("DOMContentLoaded", updateRunningTotal);
})();
