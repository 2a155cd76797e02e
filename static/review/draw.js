// Drawings on the frame: the overlay over the video, the tools that fill the comment
// form's `drawing` field, and the thumbnails in the comment list.
//
// A drawing is {shapes: [{tool, colour, points: [[x, y], ...], text?}]} with x and y from
// 0 to 1 across the frame (studio/review/drawing.py checks it). The SVG's viewBox is the
// video's own size, so with the default "meet" it letterboxes exactly like the video.

const NS = "http://www.w3.org/2000/svg";
const LABELS = { freehand: "Freehand", arrow: "Arrow", rect: "Rectangle", ellipse: "Ellipse", text: "Text" };

function svgEl(name, attributes) {
  const el = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  return el;
}

const round = (n) => Math.round(n * 10000) / 10000;
const clamp01 = (n) => Math.min(1, Math.max(0, n));

function shapeElement(shape, width, height, colours) {
  const colour = colours[shape.colour] || "#fff";
  const stroke = Math.max(1.5, height * 0.006);
  const pts = shape.points.map(([x, y]) => [x * width, y * height]);
  const line = { stroke: colour, "stroke-width": stroke, fill: "none", "stroke-linecap": "round", "stroke-linejoin": "round" };
  const [a, b] = pts;
  let el;
  if (shape.tool === "freehand") {
    el = svgEl("path", { ...line, d: pts.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`).join(" ") });
  } else if (shape.tool === "arrow") {
    el = svgEl("g", {});
    el.append(svgEl("line", { ...line, x1: a[0], y1: a[1], x2: b[0], y2: b[1] }));
    const angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
    const size = stroke * 5;
    const wing = (turn) => `${b[0] - size * Math.cos(angle + turn)},${b[1] - size * Math.sin(angle + turn)}`;
    el.append(svgEl("polygon", { fill: colour, points: `${b[0]},${b[1]} ${wing(0.45)} ${wing(-0.45)}` }));
  } else if (shape.tool === "rect") {
    el = svgEl("rect", { ...line, x: Math.min(a[0], b[0]), y: Math.min(a[1], b[1]), width: Math.abs(b[0] - a[0]), height: Math.abs(b[1] - a[1]) });
  } else if (shape.tool === "ellipse") {
    el = svgEl("ellipse", { ...line, cx: (a[0] + b[0]) / 2, cy: (a[1] + b[1]) / 2, rx: Math.abs(b[0] - a[0]) / 2, ry: Math.abs(b[1] - a[1]) / 2 });
  } else if (shape.tool === "text") {
    el = svgEl("text", { x: a[0], y: a[1], fill: colour, "font-size": height * 0.06, "font-family": "sans-serif", "paint-order": "stroke", stroke: "#000", "stroke-width": stroke / 2 });
    el.textContent = shape.text || "";
  } else {
    return null;
  }
  el.setAttribute("data-tool", shape.tool);
  return el;
}

// Draw `groups` ([{id, shapes}]) into `svg`, sized as a width × height frame.
export function renderDrawings(svg, groups, width, height, colours) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  for (const group of groups) {
    const g = svgEl("g", {});
    if (group.id != null) g.setAttribute("data-comment", String(group.id));
    for (const shape of group.shapes) {
      const el = shapeElement(shape, width, height, colours);
      if (el) g.append(el);
    }
    svg.append(g);
  }
}

export function setupDrawing(root, player) {
  const svg = root.querySelector("[data-role=overlay]");
  const video = root.querySelector("[data-role=video]");
  const paletteData = document.getElementById("drawing-palette");
  if (!svg || !video || !paletteData) return null;
  const palette = JSON.parse(paletteData.textContent);
  const colours = palette.colours;
  const marks = player.marks;
  // The frame's own pixels: from the video once it is loaded, from the page before that.
  const size = () => [
    video.videoWidth || parseInt(video.dataset.width, 10) || video.clientWidth || 1,
    video.videoHeight || parseInt(video.dataset.height, 10) || video.clientHeight || 1,
  ];

  // The comment form this page's drawing goes into (none when the person may not comment).
  const form = document.querySelector("[data-role=comment-form]");
  const field = form?.querySelector("[data-role=comment-drawing]");
  const frameInput = form?.querySelector("[data-role=comment-frame]");
  const status = form?.querySelector("[data-role=drawing-status]");
  const bar = root.querySelector("[data-role=draw-bar]");
  const drawButton = root.querySelector("[data-role=draw]");
  const stage = root.querySelector("[data-role=stage]");

  let drawing = false;
  let shapes = []; // the drawing being made for the comment form
  let pendingFrame = null; // the frame it sits on
  let current = null; // the shape under the pointer
  let tool = palette.tools[0];
  let colour = Object.keys(colours)[0];
  let textInput = null;

  const showing = () => {
    const frame = player.frame;
    const groups = marks
      .filter((m) => (m.end_frame == null ? m.frame === frame : m.frame <= frame && frame <= m.end_frame))
      .flatMap((m) => m.drawings);
    const mine = current ? [...shapes, current] : shapes;
    if (mine.length && (drawing || frame === pendingFrame)) groups.push({ id: null, shapes: mine });
    return groups;
  };

  const render = () => {
    const [width, height] = size();
    renderDrawings(svg, drawing ? [{ id: null, shapes: current ? [...shapes, current] : shapes }] : showing(), width, height, colours);
    root.dataset.drawn = String(svg.querySelectorAll("[data-tool]").length);
  };

  const sync = () => {
    if (!field) return;
    field.value = shapes.length ? JSON.stringify({ shapes }) : "";
    if (status) {
      status.textContent = shapes.length
        ? `Drawing of ${shapes.length} shape${shapes.length === 1 ? "" : "s"} on frame ${pendingFrame}: it is sent with this comment.`
        : "";
    }
  };

  const setDrawing = (on) => {
    if (!bar || on === drawing) return;
    drawing = on;
    stage?.classList.toggle("drawing", on);
    bar.hidden = !on;
    drawButton?.setAttribute("aria-pressed", String(on));
    if (on) {
      video.pause();
      if (!shapes.length) pendingFrame = player.frame;
      if (frameInput) {
        frameInput.value = String(pendingFrame);
        frameInput.dataset.touched = "1";
      }
      bar.querySelector("input:checked")?.focus();
    } else {
      current = null;
      drawButton?.focus();
    }
    render();
  };

  const undo = () => {
    shapes.pop();
    sync();
    render();
  };

  const pointAt = (event) => {
    const [width, height] = size();
    const matrix = svg.getScreenCTM();
    if (!matrix) return [0, 0];
    const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return [round(clamp01(p.x / width)), round(clamp01(p.y / height))];
  };

  if (bar) {
    // The tool and colour pickers are radio groups: arrow keys move within each.
    const group = (legend, name, items, label) => {
      const fieldset = document.createElement("fieldset");
      const title = document.createElement("legend");
      title.textContent = legend;
      fieldset.append(title);
      for (const item of items) {
        const wrap = document.createElement("label");
        const input = document.createElement("input");
        input.type = "radio";
        input.name = name;
        input.value = item;
        input.dataset.role = name;
        wrap.append(input, label(item));
        fieldset.append(wrap);
      }
      return fieldset;
    };
    const tools = group("Tool", "draw-tool", palette.tools, (t) => document.createTextNode(LABELS[t] || t));
    const swatches = group("Colour", "draw-colour", Object.keys(colours), (c) => {
      const span = document.createElement("span");
      span.className = "swatch";
      span.style.background = colours[c]; // CSSOM, not a style attribute: allowed by the CSP
      const name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = c;
      const both = document.createDocumentFragment();
      both.append(span, name);
      return both;
    });
    const textLabel = document.createElement("label");
    textLabel.textContent = "Text ";
    textInput = document.createElement("input");
    textInput.type = "text";
    textInput.maxLength = palette.text_max;
    textInput.dataset.role = "draw-text";
    textInput.placeholder = "then click the frame";
    textLabel.append(textInput);
    const button = (text, role, onClick) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = text;
      b.dataset.role = role;
      b.addEventListener("click", onClick);
      return b;
    };
    bar.append(
      tools,
      swatches,
      textLabel,
      button("Undo", "draw-undo", undo),
      button("Clear", "draw-clear", () => { shapes = []; sync(); render(); }),
      button("Done (Esc)", "draw-done", () => setDrawing(false)),
    );
    bar.querySelector(`[data-role=draw-tool][value=${tool}]`).checked = true;
    bar.querySelector(`[data-role=draw-colour][value=${colour}]`).checked = true;
    bar.addEventListener("change", (event) => {
      if (event.target.dataset.role === "draw-tool") tool = event.target.value;
      if (event.target.dataset.role === "draw-colour") colour = event.target.value;
    });
    bar.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { setDrawing(false); event.preventDefault(); event.stopPropagation(); }
    });
  }

  svg.addEventListener("pointerdown", (event) => {
    if (!drawing || event.button !== 0) return;
    event.preventDefault();
    if (shapes.length >= palette.max_shapes) return;
    const point = pointAt(event);
    if (tool === "text") {
      const text = textInput.value.trim();
      if (!text) { textInput.focus(); return; }
      shapes.push({ tool, colour, points: [point], text });
      textInput.value = "";
      sync();
      render();
      return;
    }
    current = { tool, colour, points: [point, point] };
    svg.setPointerCapture(event.pointerId);
    render();
  });
  svg.addEventListener("pointermove", (event) => {
    if (!current) return;
    const point = pointAt(event);
    if (current.tool === "freehand") {
      const last = current.points[current.points.length - 1];
      if (current.points.length < palette.max_points && Math.hypot(point[0] - last[0], point[1] - last[1]) > 0.002) {
        current.points.push(point);
      }
    } else {
      current.points[1] = point;
    }
    render();
  });
  const finish = () => {
    if (!current) return;
    const [a, b] = [current.points[0], current.points[current.points.length - 1]];
    // A click without a drag draws nothing.
    if (current.points.length > 2 || a[0] !== b[0] || a[1] !== b[1]) shapes.push(current);
    current = null;
    sync();
    render();
  };
  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointercancel", finish);

  drawButton?.addEventListener("click", () => setDrawing(!drawing));
  document.addEventListener("keydown", (event) => {
    if (!bar) return;
    if (event.key === "Escape" && drawing) { setDrawing(false); event.preventDefault(); return; }
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if ((event.metaKey || event.ctrlKey) && event.key === "z" && drawing) { undo(); event.preventDefault(); return; }
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === "d") { setDrawing(!drawing); event.preventDefault(); }
  });

  player.onFrame(render);
  video.addEventListener("loadedmetadata", render);
  sync();

  // Thumbnails in the comment list, drawn with the same renderer.
  const byId = new Map(marks.flatMap((m) => m.drawings).map((d) => [String(d.id), d]));
  const thumbnails = () => {
    document.querySelectorAll("[data-drawing-thumb]").forEach((thumb) => {
      const found = byId.get(thumb.dataset.drawingThumb);
      if (found) renderDrawings(thumb, [found], ...size(), colours);
    });
  };
  thumbnails();
  video.addEventListener("loadedmetadata", thumbnails);
  return { setDrawing, get shapes() { return shapes; } };
}
