// The wallboard: draws /api/v1/live's JSON, follows /api/v1/live/stream (server-sent
// events), and counts waits and times in state between messages.
(function () {
  "use strict";
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  };
  const STATE_WORDS = {
    available: "Available", busy: "Busy", after_call_work: "After-call work",
    paused: "Paused", logged_in: "Logged in", logged_out: "Logged out",
  };
  let view = JSON.parse($("#live-data").textContent);
  let received = Date.now();

  const pct = (x) => (x === null || x === undefined ? "–" : Math.round(x * 100) + " %");
  const dur = (s) => {
    if (s === null || s === undefined) return "–";
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(r).padStart(2, "0");
  };
  // met / near / missed against the goal, near = within 10 % of it (relative)
  const judge = (sl, goal) => {
    if (sl === null || sl === undefined || goal === null || goal === undefined) return null;
    if (sl >= goal) return ["ok", "met"];
    if (sl >= goal * 0.9) return ["near", "near"];
    return ["miss", "missed"];
  };
  const elapsed = () => (Date.now() - received) / 1000;

  function fig(label, value, cls, verdict) {
    const f = el("div", "fig " + cls);
    f.append(el("div", "label", label));
    const v = el("div", "value");
    if (value.endsWith(" %")) {  // the number big, its unit small, never on two lines
      v.append(value.slice(0, -2), el("span", "unit", "%"));
    } else {
      v.textContent = value;
    }
    f.append(v);
    if (verdict) f.append(el("span", "word " + verdict[0], verdict[1]));
    return f;
  }

  function drawQueues() {
    const box = $("#queues");
    box.replaceChildren();
    for (const q of view.queues) {
      const today = judge(q.service_level, q.goal);
      const recent = judge(q.recent_service_level, q.goal);
      const t = el("article", "tile " + (recent || today || ["", ""])[0]);
      t.dataset.queue = q.queue;
      const h = el("h2", null, q.queue);
      h.append(el("small", null, q.channel + " · goal " + pct(q.goal) + " in " + q.threshold_s + " s"));
      t.append(h);
      const big = el("div", "big");
      big.append(fig("Waiting", String(q.waiting), "waiting"));
      const lw = fig("Longest wait", dur(q.longest_wait_s === null ? null : q.longest_wait_s + elapsed()), "longest");
      lw.dataset.base = q.longest_wait_s === null ? "" : q.longest_wait_s;
      big.append(lw);
      big.append(fig("SL today", pct(q.service_level), "sl-today", today));
      big.append(fig("SL " + Math.round(q.recent_window_s / 60) + " min", pct(q.recent_service_level), "sl-recent", recent));
      t.append(big);
      t.append(el("div", "counts",
        "offered " + q.offered + " · answered " + q.answered + " · abandoned " + q.abandoned +
        " · within " + q.threshold_s + " s " + q.answered_within_threshold));
      const states = el("div", "states");
      for (const [s, n] of Object.entries(q.agents || {})) {
        states.append(el("span", "chip s-" + s, (STATE_WORDS[s] || s) + " " + n));
      }
      t.append(states);
      box.append(t);
    }
    if (!view.queues.length) box.append(el("p", "counts", "No contacts yet today."));
  }

  function drawAgents() {
    const counts = {};
    for (const a of view.agents) {
      if (a.state !== "logged_out") counts[a.state] = (counts[a.state] || 0) + 1;
    }
    const sum = $("#agent-summary");
    sum.replaceChildren();
    for (const s of Object.keys(STATE_WORDS)) {
      if (counts[s]) sum.append(el("span", "chip s-" + s, STATE_WORDS[s] + " " + counts[s]));
    }
    const box = $("#agents");
    box.replaceChildren();
    const paused = new Set(view.alerts.filter((a) => a.kind === "paused").map((a) => a.subject));
    for (const a of view.agents) {
      if (a.state === "logged_out") continue;
      const c = el("div", "agent s-" + a.state + (paused.has(a.agent) ? " long" : ""));
      c.dataset.agent = a.agent;
      c.dataset.state = a.state;
      c.append(el("div", "name", a.agent));
      c.append(el("div", "state", STATE_WORDS[a.state] || a.state));
      const t = el("div", "t", dur(a.since_s === null ? null : a.since_s + elapsed()));
      t.dataset.base = a.since_s === null ? "" : a.since_s;
      c.append(t);
      if (a.reason) c.append(el("div", "reason", a.reason));
      if (a.scheduled) c.append(el("div", "sched", "scheduled: " + a.scheduled));
      if (a.adherence) {
        c.classList.add("oa");
        const kind = (a.adherence.kind || "").replaceAll("_", " ");
        const w = el("div", "oa-word", kind);
        w.title = "out of adherence (scheduled: " + (a.adherence.activity || "nothing") + ")";
        c.append(w);
      }
      box.append(c);
    }
  }

  function drawAlerts() {
    const box = $("#alerts");
    box.replaceChildren();
    for (const a of view.alerts) {
      const d = el("div", "alert", a.message);
      d.dataset.kind = a.kind;
      box.append(d);
    }
  }

  function draw() {
    document.body.dataset.seq = view.seq;
    $("#wb-day").textContent = view.day;
    drawAlerts();
    drawQueues();
    drawAgents();
    tick();
  }

  function tick() {
    const now = new Date(Date.parse(view.as_of) + elapsed() * 1000);
    $("#wb-clock").textContent = now.toTimeString().slice(0, 8);
    for (const e of document.querySelectorAll("[data-base]")) {
      const base = e.dataset.base;
      const target = e.classList.contains("fig") ? e.querySelector(".value") : e;
      target.textContent = base === "" ? "–" : dur(parseFloat(base) + elapsed());
    }
  }

  draw();
  setInterval(tick, 1000);
  const day = document.body.dataset.day;
  const src = new EventSource("/api/v1/live/stream" + (day ? "?day=" + encodeURIComponent(day) : ""));
  src.addEventListener("snapshot", (m) => {
    view = JSON.parse(m.data);
    received = Date.now();
    $("#wb-link").className = "link ok";
    $("#wb-link").textContent = "live";
    draw();
  });
  src.onerror = () => {
    $("#wb-link").className = "link lost";
    $("#wb-link").textContent = "reconnecting";
  };
})();
