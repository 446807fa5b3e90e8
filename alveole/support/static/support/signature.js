/* Alvéole — draw a signature on a canvas and post it as a PNG data URL.
   No dependency, no build step: pointer events cover mouse, pen and touch. */
(function () {
  "use strict";

  function setUp(form) {
    var canvas = form.querySelector("[data-signature-pad]");
    var input = form.querySelector("input[name='signature']");
    var clear = form.querySelector("[data-signature-clear]");
    var emptyHint = form.querySelector("[data-signature-empty]");
    if (!canvas || !input) { return; }
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    var last = null;

    function resize() {
      // Match the drawing buffer to the displayed size (sharp lines on high-density screens).
      var ratio = window.devicePixelRatio || 1;
      var rect = canvas.getBoundingClientRect();
      var snapshot = drawn ? canvas.toDataURL("image/png") : null;
      canvas.width = Math.max(1, Math.round(rect.width * ratio));
      canvas.height = Math.max(1, Math.round(rect.height * ratio));
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      if (snapshot) {
        var image = new Image();
        image.onload = function () { context.drawImage(image, 0, 0, rect.width, rect.height); };
        image.src = snapshot;
      }
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      context.beginPath();
      context.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
      context.fillStyle = "#111";
      context.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var current = point(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(current.x, current.y);
      context.stroke();
      last = current;
      drawn = true;
    });
    function stop() { drawing = false; last = null; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        input.value = "";
      });
    }

    form.addEventListener("submit", function (event) {
      if (!drawn) {
        event.preventDefault();
        if (emptyHint) { emptyHint.hidden = false; }
        canvas.focus();
        return;
      }
      input.value = canvas.toDataURL("image/png");
      var button = form.querySelector("button[type='submit']");
      if (button) { button.disabled = true; }
    });

    resize();
    window.addEventListener("resize", function () { if (!drawing) { resize(); } });
    // Tells browser tests that the pad listens: a stroke drawn before would be lost.
    form.setAttribute("data-signature-ready", "");
  }

  document.querySelectorAll("[data-signature-form]").forEach(setUp);
})();
