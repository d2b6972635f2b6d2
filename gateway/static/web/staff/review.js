// The packet preview of the review screen: pdf.js draws each page on a canvas, the reviewer
// boxes (from /queue/{id}/boxes.json, PDF points of the source page) are drawn over it, and a
// drag on a page fills the "Add a box" form (record, page, points) and submits it.
import * as pdfjsLib from "/static/vendor/pdfjs/pdf.min.mjs";

pdfjsLib.GlobalWorkerOptions.workerSrc = "/static/vendor/pdfjs/pdf.worker.min.mjs";

const SCALE = 1.25;

function status(viewer, text) {
  const el = viewer.querySelector(".viewer-status");
  if (el) el.textContent = text;
}

function drawBox(layer, viewport, box, cls) {
  const [ax, ay, bx, by] = viewport.convertToViewportRectangle([box.x0, box.y0, box.x1, box.y1]);
  const el = document.createElement("div");
  el.className = cls;
  place(el, viewport, [Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax), Math.abs(by - ay)]);
  layer.appendChild(el);
  return el;
}

// Positions in percent of the page, so the boxes follow the canvas when it is scaled down.
function place(el, viewport, [left, top, width, height]) {
  el.style.left = `${(100 * left) / viewport.width}%`;
  el.style.top = `${(100 * top) / viewport.height}%`;
  el.style.width = `${(100 * width) / viewport.width}%`;
  el.style.height = `${(100 * height) / viewport.height}%`;
}

function enableDrawing(layer, viewport, source, form) {
  let start = null;
  let ghost = null;
  layer.dataset.drawable = "yes";
  layer.title = "Drag to propose a redaction box";
  const point = (event) => {
    const rect = layer.getBoundingClientRect();
    return [
      ((event.clientX - rect.left) * viewport.width) / rect.width,
      ((event.clientY - rect.top) * viewport.height) / rect.height,
    ];
  };
  layer.addEventListener("pointerdown", (event) => {
    start = point(event);
    layer.setPointerCapture(event.pointerId);
    ghost = document.createElement("div");
    ghost.className = "box box-new";
    layer.appendChild(ghost);
  });
  layer.addEventListener("pointermove", (event) => {
    if (!start || !ghost) return;
    const [x, y] = point(event);
    const box = [Math.min(start[0], x), Math.min(start[1], y)];
    place(ghost, viewport, [...box, Math.abs(x - start[0]), Math.abs(y - start[1])]);
  });
  layer.addEventListener("pointerup", (event) => {
    if (!start) return;
    const end = point(event);
    const first = start;
    start = null;
    if (Math.abs(end[0] - first[0]) < 4 || Math.abs(end[1] - first[1]) < 4) {
      if (ghost) ghost.remove();
      return;
    }
    const [px0, py0] = viewport.convertToPdfPoint(first[0], first[1]);
    const [px1, py1] = viewport.convertToPdfPoint(end[0], end[1]);
    form.elements.source_record_id.value = source.source_record_id;
    form.elements.page.value = String(source.page);
    form.elements.x0.value = Math.min(px0, px1).toFixed(1);
    form.elements.y0.value = Math.min(py0, py1).toFixed(1);
    form.elements.x1.value = Math.max(px0, px1).toFixed(1);
    form.elements.y1.value = Math.max(py0, py1).toFixed(1);
    form.requestSubmit();
  });
}

async function show(viewer) {
  const form = document.getElementById("box-form");
  const editable = viewer.dataset.editable === "yes";
  let layout;
  try {
    const response = await fetch(viewer.dataset.boxes, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`boxes ${response.status}`);
    layout = await response.json();
  } catch (error) {
    status(viewer, "The redaction boxes could not be loaded.");
    return;
  }
  let pdf;
  try {
    pdf = await pdfjsLib.getDocument({
      url: viewer.dataset.pdf,
      isEvalSupported: false,
      withCredentials: true,
    }).promise;
  } catch (error) {
    status(viewer, "The packet could not be shown.");
    return;
  }
  viewer.dataset.renderedPages = "0";
  for (let number = 1; number <= pdf.numPages; number += 1) {
    const page = await pdf.getPage(number);
    const viewport = page.getViewport({ scale: SCALE });
    const frame = document.createElement("figure");
    frame.className = "page";
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `Packet page ${number}`);
    const layer = document.createElement("div");
    layer.className = "layer";
    const sheet = document.createElement("div");
    sheet.className = "sheet";
    sheet.append(canvas, layer);
    const caption = document.createElement("figcaption");
    caption.textContent = `Page ${number} of ${pdf.numPages}`;
    frame.append(sheet, caption);
    viewer.appendChild(frame);
    await page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport }).promise;
    const info = layout.pages[number - 1];
    if (info && info.source) {
      for (const box of info.boxes) drawBox(layer, viewport, box, "box");
      if (editable && form) enableDrawing(layer, viewport, info.source, form);
    } else {
      caption.textContent += " (generated page)";
    }
    viewer.dataset.renderedPages = String(number);
  }
  viewer.dataset.pageCount = String(pdf.numPages);
  status(viewer, `${pdf.numPages} page${pdf.numPages === 1 ? "" : "s"} shown.`);
}

const viewer = document.getElementById("viewer");
if (viewer) show(viewer);
