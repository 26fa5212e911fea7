// The console works without this file; it only tidies what forms send.
"use strict";

// A filter form leaves out its empty fields, so the URL it leads to names
// only the filters in use and reads as well as it shares.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (!form || (form.method || "").toLowerCase() !== "get") {
    return;
  }
  Array.prototype.forEach.call(form.elements, function (el) {
    if (el.name && el.value === "") {
      el.disabled = true;
    }
  });
});

// Coming back to a page from the history shows its fields usable again.
window.addEventListener("pageshow", function () {
  Array.prototype.forEach.call(document.querySelectorAll("form [disabled]"), function (el) {
    el.disabled = false;
  });
});
