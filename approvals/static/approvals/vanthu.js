// Văn thư: small helpers of our own screens. Loaded once in <head> (Turbo keeps it).
(function () {
  "use strict";

  // "Thêm dòng nơi nhận": append one blank recipient line to a Django formset.
  // The button names the formset's prefix; the blank row comes from its <template>.
  window.vanthuAddFormsetRow = function (button) {
    var prefix = button.getAttribute("data-prefix");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) return;
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) {
      button.disabled = true;
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = rows.lastElementChild && rows.lastElementChild.querySelector("input[type=text]");
    if (added) added.focus();
  };

  // A page waiting for something the server makes in the background (the signed original)
  // shows itself again every few seconds until it is there: [data-vt-refresh="seconds"].
  var refresh = null;
  function stopRefresh() {
    if (refresh) {
      clearTimeout(refresh);
      refresh = null;
    }
  }
  function scheduleRefresh() {
    stopRefresh();
    var waiting = document.querySelector("[data-vt-refresh]");
    if (!waiting) return;
    var seconds = parseInt(waiting.getAttribute("data-vt-refresh"), 10) || 3;
    refresh = setTimeout(function () {
      if (window.Turbo && window.Turbo.visit) {
        window.Turbo.visit(window.location.href, { action: "replace" });
      } else {
        window.location.reload();
      }
    }, seconds * 1000);
  }
  document.addEventListener("turbo:visit", stopRefresh);
  document.addEventListener("turbo:load", scheduleRefresh);
  document.addEventListener("DOMContentLoaded", scheduleRefresh);
})();
