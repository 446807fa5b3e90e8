// Drag and drop onto the reception zone: the dropped files become the file input's files.
(function () {
  "use strict";
  var zone = document.querySelector("[data-drop-zone]");
  if (!zone) { return; }
  var input = zone.querySelector("input[type=file]");
  var names = zone.querySelector("[data-drop-names]");
  function show() {
    names.textContent = Array.prototype.map.call(input.files, function (f) { return f.name; }).join(", ");
  }
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("border-primary", "bg-body-tertiary");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () {
      zone.classList.remove("border-primary", "bg-body-tertiary");
    });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
})();
