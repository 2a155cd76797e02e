// Takes: how many, or what varies from one take to the next. Hidden parts are disabled
// by the mode panels, so only what the chosen way of varying needs is sent; without
// JavaScript every field shows and the server sorts it out.
import { readJson } from "../studio/frames.js";
import { $$, checked, form } from "./form.js";

const SWEEPS = readJson("sweeps");
const takesSection = document.getElementById("takes-section");
const MAX_TAKES = parseInt(takesSection.dataset.maxTakes, 10);

export const vary = () => checked("vary") || "";

export function showTakes() {
  const v = vary();
  for (const el of $$("[data-vary]", takesSection)) el.hidden = el.dataset.vary !== v;
  const values = SWEEPS[form.elements.sweep_param.value]?.values || [];
  for (const label of $$("[data-sweep-value]", takesSection)) label.hidden = !values.includes(label.dataset.sweepValue);
}

export function promptLines() {
  return form.elements.prompt_list.value.split("\n").map((line) => line.trim()).filter(Boolean);
}

// The facts of each take, or a problem that stops the batch before any take is priced.
export function takesOf(f) {
  const v = vary();
  if (v === "prompts") {
    const n = promptLines().length;
    if (!n) return { problem: "Write one prompt per line in the list." };
    if (n > MAX_TAKES) return { problem: `${n} prompts: at most ${MAX_TAKES}.` };
    return { takes: Array.from({ length: n }, () => f) };
  }
  if (v === "sweep") {
    const param = form.elements.sweep_param.value;
    const values = $$("[data-sweep-value] input:checked", takesSection).filter((i) => !i.disabled).map((i) => i.value);
    if (!values.length) return { problem: "Tick the values to sweep over." };
    // A parameter the price and the rules look at (resolution, duration, aspect ratio)
    // changes the take's facts; the edit strength is in neither.
    return { takes: values.map((value) => (param in f ? { ...f, [param]: value } : f)), values };
  }
  const raw = form.elements.takes.value.trim();
  const n = raw === "" ? 1 : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TAKES) return { problem: `Takes: a whole number from 1 to ${MAX_TAKES}.` };
  return { takes: Array.from({ length: n }, () => f) };
}
