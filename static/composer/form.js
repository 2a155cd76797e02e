// The composer's form, read as the contract's facts: the same flat dict as
// studio.contract.facts_of, so the rule table and the price table can be applied to it.
import { CONTRACT, readJson, sourceMaxIndex } from "../studio/frames.js";

export const form = document.getElementById("composer");
// Which request type each of the composer's modes sends (studio/composer/body.py).
export const TYPE_OF_MODE = readJson("mode-types");
export const SOURCES = readJson("known-sources");
export const { defaults: DEFAULTS, short: SHORT, long: LONG } = CONTRACT;
export const lastIndex = (duration) => CONTRACT.max_index[duration];

export const $ = (sel, root = form) => root.querySelector(sel);
export const $$ = (sel, root = form) => [...root.querySelectorAll(sel)];
export const radios = (name) => $$(`input[type="radio"][name="${name}"]`);
export const checked = (name) => radios(name).find((r) => r.checked)?.value ?? null;
export const box = (name) => Boolean(form.elements[name]?.checked);
export const mode = () => checked("mode") || "video";
// Only new videos and extends choose a duration; the others send none.
const hasDuration = (m) => m === "video" || m === "extend";

export function sourceInfo() {
  return SOURCES[form.elements.source.value] || null;
}
export function sourceFrames() {
  const s = sourceInfo();
  return s && s.seconds != null ? sourceMaxIndex(s.seconds) : null;
}
function position() {
  return ["pos_x", "pos_y", "pos_w", "pos_h"].every((n) => form.elements[n].value !== "");
}

export function facts(timelines) {
  const m = mode();
  const f = {
    type: TYPE_OF_MODE[m],
    resolution: checked("resolution") || DEFAULTS.resolution,
    duration: hasDuration(m) ? checked("duration") || DEFAULTS.duration : DEFAULTS.duration,
    aspect_ratio: m === "edit" ? null : form.elements.aspect_ratio.value || null,
    loop: box("loop"),
    hdr: box("hdr"),
    exr_export: box("exr_export"),
    start_frame: "none",
    end_frame: "none",
    keyframes: false,
    edit: false,
    edit_keyframes: false,
    auto_controls: false,
    strength_or_controls: false,
    source: false,
    source_position: false,
  };
  const src = Boolean(form.elements.source.value);
  if (m === "video") {
    if (form.elements.start_frame.value) f.start_frame = "image";
    if (form.elements.end_frame.value) f.end_frame = "image";
    f.keyframes = timelines.keyframes.size > 0;
  } else if (m === "extend") {
    if (src) f[checked("direction") === "backward" ? "end_frame" : "start_frame"] = "generation";
  } else if (m === "edit") {
    if (form.elements.guide_frame.value) f.start_frame = "image";
    f.source = src;
    f.edit = true;
    f.edit_keyframes = timelines.edit_keyframes.size > 0;
    const cm = checked("controls_mode");
    f.auto_controls = cm === "auto";
    f.strength_or_controls = cm === "manual" || (cm === "preset" && Boolean(form.elements.strength.value));
  } else {
    f.source = src;
    f.source_position = position();
  }
  return f;
}
