// The contract's rule table, serialised into the page, evaluated on the composer's facts
// (the same flat dict as studio.contract.facts_of) exactly as rules.py evaluates it.
import { readJson } from "../studio/frames.js";

export const RULES = readJson("contract-rules");

export function fires(rule, f) {
  if (!rule.types.includes(f.type)) return false;
  return Object.entries(rule.when).every(([k, want]) => (Array.isArray(want) ? want : [want]).some((a) => a === f[k]));
}

// Every rule that fires, in table order; with keys, only rules about one of those facts.
export function broken(f, keys = null) {
  return RULES.filter((r) => fires(r, f) && (!keys || keys.some((k) => k in r.when)));
}

// What a person is told, each message once.
export const messages = (f) => [...new Set(broken(f).map((r) => r.message))];
