// The photo form: click the picture to set its focal point (the fields stay editable).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const image = document.querySelector("img[data-focal-picker]");
  const across = document.getElementById("id_focal_x");
  const down = document.getElementById("id_focal_y");
  if (!image || !across || !down) return;
  const frame = image.parentElement;
  frame.style.position = "relative";
  frame.style.display = "inline-block";
  const mark = document.createElement("span");
  Object.assign(mark.style, {
    position: "absolute", width: "18px", height: "18px", margin: "-11px 0 0 -11px",
    border: "2px solid #fff", borderRadius: "50%", boxShadow: "0 0 0 2px #a4000f",
    pointerEvents: "none",
  });
  frame.appendChild(mark);
  const show = () => {
    mark.style.left = `${Number(across.value) * 100}%`;
    mark.style.top = `${Number(down.value) * 100}%`;
  };
  image.style.cursor = "crosshair";
  image.title = image.dataset.focalPicker;
  image.addEventListener("click", (event) => {
    const box = image.getBoundingClientRect();
    across.value = ((event.clientX - box.left) / box.width).toFixed(2);
    down.value = ((event.clientY - box.top) / box.height).toFixed(2);
    show();
  });
  across.addEventListener("input", show);
  down.addEventListener("input", show);
  show();
});
