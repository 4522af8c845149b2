// The photo library's focal point: a click on a picture fills in its form's two percentages and
// saves them. Without this script the numbers are typed in and saved with the button.
"use strict";
document.addEventListener("click", function (event) {
  var picture = event.target.closest("img[data-focal-form]");
  if (!picture) return;
  var form = document.getElementById(picture.getAttribute("data-focal-form"));
  if (!form) return;
  var box = picture.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return;
  var percent = function (at, start, size) {
    return Math.max(0, Math.min(100, Math.round(((at - start) / size) * 100)));
  };
  form.elements.x.value = percent(event.clientX, box.left, box.width);
  form.elements.y.value = percent(event.clientY, box.top, box.height);
  form.requestSubmit ? form.requestSubmit() : form.submit();
});
