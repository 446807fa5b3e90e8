// Drawn signature on a canvas, posted as a PNG data URL in the form's hidden "signature" field.
// Pointer events cover mouse, pen and touch; no dependency, no inline script.
(function () {
  "use strict";

  function setUp(form) {
    var canvas = form.querySelector("canvas");
    var field = form.querySelector('input[name="signature"]');
    var clear = form.querySelector("[data-signature-clear]");
    if (!canvas || !field) {
      return;
    }
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    function resize() {
      // Match the bitmap to the displayed size so that strokes follow the finger.
      var ratio = window.devicePixelRatio || 1;
      var box = canvas.getBoundingClientRect();
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      drawn = false;
      field.value = "";
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      context.lineTo(p.x + 0.1, p.y + 0.1);
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) {
        return;
      }
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
    });
    function stop() {
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        field.value = "";
      });
    }

    form.addEventListener("submit", function () {
      // An empty pad posts nothing: the server then asks for a signature.
      field.value = drawn ? canvas.toDataURL("image/png") : "";
    });

    resize();
    window.addEventListener("resize", function () {
      if (!drawn) {
        resize();
      }
    });
    // Tells browser tests (and styles) that the pad listens: a stroke drawn before would be lost.
    form.setAttribute("data-signature-ready", "");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-signature-form]").forEach(setUp);
  });
})();
