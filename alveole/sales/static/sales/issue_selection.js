// The invoice list's selection of drafts to issue: a box that ticks every draft of the page
// (hidden until this script runs) and the number ticked on the submit button. Without this
// script the boxes and the button work all the same. No dependency, no inline script.
// The button is disabled once the form is sent.
(function () {
  "use strict";

  function setUp(form) {
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="invoice"][form="' + form.id + '"]')
    );
    var all = document.querySelector('[data-select-all="' + form.id + '"]');
    var allBox = all ? all.querySelector('input[type="checkbox"]') : null;
    var count = form.querySelector("[data-selection-count]");

    function update() {
      var ticked = boxes.filter(function (box) {
        return box.checked;
      }).length;
      if (count) {
        count.textContent = ticked ? " (" + ticked + ")" : "";
      }
      if (allBox) {
        allBox.checked = ticked > 0 && ticked === boxes.length;
        allBox.indeterminate = ticked > 0 && ticked < boxes.length;
      }
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", update);
    });
    if (allBox && boxes.length) {
      all.hidden = false;
      allBox.addEventListener("change", function () {
        boxes.forEach(function (box) {
          box.checked = allBox.checked;
        });
        update();
      });
    }
    // One click issues once: a second submit would wait for the first, then be refused
    // as "already issued" while the first succeeded.
    var button = form.querySelector('button[type="submit"]');
    form.addEventListener("submit", function () {
      if (button) {
        window.setTimeout(function () {
          button.disabled = true;
        }, 0);
      }
    });
    window.addEventListener("pageshow", function () {
      if (button) {
        button.disabled = false; // back to the page from the browser's cache
      }
    });
    update(); // boxes the browser kept ticked on going back to the page
  }

  document.querySelectorAll("form[data-issue-selection]").forEach(setUp);
})();
