// Live progress for generation pages and gallery cards.
//
// Finds every element with data-generation-id and data-progress-url (the partial
// templates/generations/_progress.html), polls the status JSON while any of them is
// still active and updates badge, bar, elapsed time, estimate and waiting reason. One
// element polls its own URL; several are polled together through data-statuses-url.
// The interval adapts: quick while things move, slower when overdue, much slower in a
// hidden tab, and backs off after network errors.
//
// Active means a state listed in the element's data-active-states (the server's
// ACTIVE_STATES, space-separated), or completed with outputs still being saved; any
// other state has settled (done, failed, refused, cancelled, dropped, or uncertain,
// which waits for a person), and polling stops.
//
// Elements marked data-state-for="<id>" (a page's own state badge) follow the state.
// When a generation's outputs are ready, elements marked data-media-for="<id>" get
// their media (img: poster, video: browser preview or original); an element with
// data-reload-on-ready reloads the page instead. An element with data-reload-on-end
// reloads the page once its generation settles, so the page can show the outcome; a
// page loaded settled never polls, so never reloads. A "generation:update" event
// carrying the JSON is dispatched on each element after every change.

import { announce } from "../studio/announce.js";

const FAST_MS = 2000;
const SLOW_MS = 5000;
const HIDDEN_MS = 30000;
const MAX_BACKOFF_MS = 60000;

// Left in sessionStorage just before a reload; read (and cleared) by the next page.
const RELOAD_NOTE = "generation:reloaded";

function takeReloadNote() {
  try {
    const note = window.sessionStorage.getItem(RELOAD_NOTE);
    window.sessionStorage.removeItem(RELOAD_NOTE);
    return note;
  } catch (error) {
    return null;
  }
}

const reloadedFor = takeReloadNote();
// The page was reloaded because its generation settled: say how it ended, since the
// reload cut off anything said just before it.
if (reloadedFor) {
  const id = reloadedFor.split(":")[0];
  const badge = document.querySelector(`[data-state-for="${id}"], [data-generation-id="${id}"] [data-role=state]`);
  if (badge) window.setTimeout(() => announce(`Generation: ${badge.textContent.trim()}`), 400);
}

function formatSeconds(total) {
  const s = Math.max(0, Math.round(total));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

// Set a badge's text and its one state-* class.
function showState(badge, data) {
  badge.textContent = data.state_label;
  for (const name of Array.from(badge.classList)) {
    if (name.startsWith("state-")) badge.classList.remove(name);
  }
  badge.classList.add(`state-${data.state}`);
}

class Tracker {
  constructor(el) {
    this.el = el;
    this.id = el.dataset.generationId;
    this.data = null;
    this.receivedAt = 0;
    this.activeStates = new Set((el.dataset.activeStates || "").split(/\s+/).filter(Boolean));
    this.badge = el.querySelector("[data-role=state]");
    this.bar = el.querySelector("[data-role=bar]");
    this.elapsed = el.querySelector("[data-role=elapsed]");
    this.eta = el.querySelector("[data-role=eta]");
    this.reason = el.querySelector("[data-role=reason]");
  }

  get active() {
    if (!this.data) {
      const state = this.el.dataset.state;
      const ready = this.el.dataset.outputsReady === "true";
      return this.activeStates.has(state) || (state === "completed" && !ready);
    }
    const { state, outputs_ready: ready } = this.data;
    return (
      this.data.in_flight || this.activeStates.has(state) || (state === "completed" && !ready)
    );
  }

  apply(data) {
    const wasReady = this.data ? this.data.outputs_ready : this.el.dataset.outputsReady === "true";
    const wasActive = this.active;
    const wasLabel = this.data ? this.data.state_label : null;
    this.data = data;
    this.receivedAt = performance.now();
    this.el.dataset.state = data.state;
    this.el.dataset.outputsReady = String(data.outputs_ready);
    if (this.badge) showState(this.badge, data);
    for (const badge of document.querySelectorAll(`[data-state-for="${this.id}"]`)) {
      showState(badge, data);
    }
    if (this.reason) {
      const reason = data.waiting_reason || "";
      if (this.reason.textContent !== reason) this.reason.textContent = reason;
    }
    if (this.bar) {
      const pct = Math.round(data.fraction * 100);
      this.bar.classList.toggle("overdue", data.overdue);
      this.bar.value = pct;
    }
    this.tick();
    // A change of state is said aloud; the first answer only confirms what is shown.
    if (wasLabel !== null && wasLabel !== data.state_label) {
      announce(`Generation: ${data.state_label}`);
    }
    this.el.dispatchEvent(new CustomEvent("generation:update", { detail: data, bubbles: true }));
    const ended = wasActive && !this.active && this.el.hasAttribute("data-reload-on-end");
    if (ended && this.reloadOnce(data)) return;
    if (data.outputs_ready && !wasReady) this.ready(data);
  }

  // The reloaded page is rendered from the same record, so it starts settled and does
  // not poll. Should a stale copy come back all the same, the note left for it stops a
  // second reload for the same outcome.
  reloadOnce(data) {
    const note = `${this.id}:${data.state}:${data.outputs_ready}`;
    if (reloadedFor === note) return false;
    try {
      window.sessionStorage.setItem(RELOAD_NOTE, note);
    } catch (error) {
      // Storage refused (private mode, quota): reloading once is still right.
    }
    window.location.reload();
    return true;
  }

  // Between polls the clock keeps moving; the server's numbers are the anchor.
  tick() {
    const data = this.data;
    if (!data) return;
    // Not sent yet: the clock at the API has not started, and the reason says why.
    const unsent = Boolean(data.waiting_reason);
    const since = data.in_flight && !unsent ? (performance.now() - this.receivedAt) / 1000 : 0;
    const elapsed = data.elapsed_s + since;
    if (this.elapsed) this.elapsed.textContent = unsent ? "" : `Elapsed ${formatSeconds(elapsed)}`;
    if (!this.eta) return;
    if (unsent) {
      this.eta.textContent = "";
    } else if (data.failure) {
      const advice = data.failure.label ? ` · ${data.failure.label}` : "";
      this.eta.textContent = `${data.failure.reason || data.failure.code}${advice}`;
    } else if (!data.in_flight) {
      this.eta.textContent = "";
    } else if (elapsed > data.expected_s) {
      this.eta.textContent = `Overdue by ${formatSeconds(elapsed - data.expected_s)}, still working`;
    } else {
      this.eta.textContent = `About ${formatSeconds(data.expected_s - elapsed)} left`;
    }
  }

  ready(data) {
    if (this.el.hasAttribute("data-reload-on-ready")) {
      window.location.reload();
      return;
    }
    const outputs = data.outputs || {};
    for (const media of document.querySelectorAll(`[data-media-for="${this.id}"]`)) {
      if (media.tagName === "IMG" && data.poster_url) {
        media.src = data.poster_url;
        media.hidden = false;
      } else if (media.tagName === "VIDEO") {
        const source = outputs.preview || outputs.video;
        if (source) {
          if (data.poster_url) media.poster = data.poster_url;
          media.src = source.url;
          media.hidden = false;
          media.load();
        }
      }
    }
  }
}

function start() {
  const trackers = Array.from(
    document.querySelectorAll("[data-generation-id][data-progress-url]"),
    (el) => new Tracker(el),
  );
  if (trackers.length === 0) return;
  let failures = 0;
  let timer = null;

  async function fetchJson(url) {
    const response = await fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  async function poll() {
    const live = trackers.filter((t) => t.active);
    if (live.length === 0) return false;
    if (live.length === 1) {
      live[0].apply(await fetchJson(live[0].el.dataset.progressUrl));
      return true;
    }
    const groups = new Map();
    for (const t of live) {
      const url = t.el.dataset.statusesUrl;
      if (!groups.has(url)) groups.set(url, []);
      groups.get(url).push(t);
    }
    for (const [url, group] of groups) {
      // The endpoint takes a bounded number of ids; larger pages go in chunks.
      for (let i = 0; i < group.length; i += 100) {
        const chunk = group.slice(i, i + 100);
        const query = new URLSearchParams({ ids: chunk.map((t) => t.id).join(",") });
        const answer = await fetchJson(`${url}?${query}`);
        for (const t of chunk) {
          const data = answer.generations[t.id];
          if (data) t.apply(data);
        }
      }
    }
    return true;
  }

  function nextDelay() {
    if (document.hidden) return HIDDEN_MS;
    if (failures > 0) return Math.min(MAX_BACKOFF_MS, FAST_MS * 2 ** failures);
    const live = trackers.filter((t) => t.active && t.data);
    const allOverdue = live.length > 0 && live.every((t) => t.data.overdue);
    return allOverdue ? SLOW_MS : FAST_MS;
  }

  async function loop() {
    timer = null;
    let more = true;
    try {
      more = await poll();
      failures = 0;
    } catch (error) {
      failures += 1;
    }
    if (more) timer = window.setTimeout(loop, nextDelay());
  }

  // Back in view: look at once rather than waiting out the hidden-tab interval.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer !== null) {
      window.clearTimeout(timer);
      loop();
    }
  });
  window.setInterval(() => {
    for (const t of trackers) t.tick();
  }, 1000);
  loop();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
