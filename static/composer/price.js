// The live price: each take's cell of the price table (computed by the contract's
// price_of and serialised into the page), chosen by the contract's own buckets.
import { CONTRACT, readJson } from "../studio/frames.js";
import { TYPE_OF_MODE } from "./form.js";

const PRICES = readJson("price-table");
const { edit_up_to_seconds: EDIT_UP_TO, second_tolerance: TOLERANCE } = CONTRACT.prices;

// The edit bucket a source this long falls in ("none" when its length is unknown).
function editBucket(seconds) {
  if (seconds == null) return "none";
  const upTo = EDIT_UP_TO.find((limit) => seconds <= limit);
  return upTo === undefined ? "long" : String(upTo);
}

// Reframes are billed per started second of the source, at least one.
const reframeBucket = (seconds) => (seconds == null ? "none" : String(Math.max(1, Math.ceil(seconds - TOLERANCE))));

// [amount, estimated] for one take, or null where the table has no such cell.
export function priceCell(f, sourceSeconds = null) {
  const res = f.resolution;
  const flags = `${+f.hdr}|${+(f.hdr && f.exr_export)}`;
  let key;
  if (f.type === TYPE_OF_MODE.edit) key = `edit|${res}|${flags}|${editBucket(sourceSeconds)}`;
  else if (f.type === TYPE_OF_MODE.reframe) key = `reframe|${res}|${reframeBucket(sourceSeconds)}`;
  else if (f.start_frame === "generation" || f.end_frame === "generation") key = `extend|${res}`;
  else key = `video|${res}|${f.duration}|${flags}`;
  return PRICES[key] || null;
}

export const dollars = (cents) => `$${(cents / 100).toFixed(2)}`;

// The batch: each take priced with the same table, so a sweep over resolution or
// duration adds up what each of its takes costs.
export function batchPrice(takes, sourceSeconds = null) {
  const cells = takes.map((f) => priceCell(f, sourceSeconds));
  const known = cells.length > 0 && cells.every(Boolean);
  const cents = known ? cells.map((c) => Math.round(parseFloat(c[0]) * 100)) : [];
  const estimated = known && cells.some((c) => c[1]);
  const total = cents.reduce((a, b) => a + b, 0);
  return { known, cents, estimated, shown: known ? `${estimated ? "≈ " : ""}${dollars(total)}` : "—" };
}

export function showPrice(form, takes, sourceSeconds) {
  const { known, cents, estimated, shown } = batchPrice(takes, sourceSeconds);
  document.getElementById("price").textContent = shown;
  document.getElementById("price-estimate").hidden = !estimated;
  const each = document.getElementById("price-each");
  const n = takes.length;
  if (known && n > 1) {
    const low = Math.min(...cents);
    const high = Math.max(...cents);
    each.textContent = low === high ? `${n} takes × ${dollars(low)}` : `${n} takes, ${dollars(low)} to ${dollars(high)} each`;
  }
  each.hidden = !(known && n > 1);
  const button = document.getElementById("submit");
  if (!form.dataset.sending) button.textContent = n > 1 ? `Generate ${n} takes${known ? ` · ${shown}` : ""}` : "Generate";
}
