// The smtp-mock web console: live sessions, faults, messages, metrics and Learn (learn.js). Everything shown goes
// through textContent (never HTML): transcripts and messages carry hostile bytes.

import { $, api, el } from "/console/dom.js";
import { startLearn } from "/console/learn.js";
import { phaseOfCommand, replyMeaning } from "/console/smtp_meaning.js";

// ---- sessions -------------------------------------------------------------------------------

const sessions = new Map(); // id -> {id, peer, startedAt, lines: [{t_ms, dir, text, phase, fault}], outcome, closedBy, faults}
let selectedSession = null;

function sessionOf(id) {
  let s = sessions.get(id);
  if (!s) {
    s = { id, peer: "", startedAt: "", lines: [], outcome: "active", closedBy: null, faults: [] };
    sessions.set(id, s);
  }
  return s;
}

function fromRecord(r) {
  const s = sessionOf(r.id);
  Object.assign(s, { peer: r.peer, startedAt: r.started_at, outcome: r.outcome, closedBy: r.closed_by, lines: [], faults: [] });
  for (const f of r.fired) s.faults.push({ rule: f.rule, phase: f.phase });
  let phase = "banner";
  for (const line of r.transcript) {
    if (line.dir === "C") phase = phaseOfCommand(line.text) ?? phase;
    const fault = line.dir === "event" && line.text.startsWith("fault rule ");
    s.lines.push({ t_ms: line.t_ms, dir: line.dir, text: line.text, phase, fault });
  }
}

async function loadSessions() {
  const stats = await api("GET", "/api/v1/stats");
  const since = Math.max(0, stats.sessions.total - 200);
  const page = await api("GET", `/api/v1/sessions?since=${since}&limit=200`);
  for (const r of page.sessions) fromRecord(r);
  renderSessionList();
  if (selectedSession !== null) renderSession();
}

const lineTypes = { command: "C", reply: "S", note: "event" };

function onSessionEvent(e) {
  const s = sessionOf(e.session);
  if (e.type === "session_opened") {
    Object.assign(s, { peer: e.peer, startedAt: e.started_at, phase: "connect" });
  } else if (e.type === "phase") {
    s.phase = e.phase;
    // The command that starts a phase comes just before the phase does.
    const last = s.lines[s.lines.length - 1];
    if (last && last.dir === "C" && last.t_ms === e.t_ms) last.phase = e.phase;
  } else if (e.type === "note" && e.text.startsWith("fault rule ")) {
    // The fault event says it all, with the effect.
  } else if (e.type in lineTypes) {
    s.lines.push({ t_ms: e.t_ms, dir: lineTypes[e.type], text: e.text, phase: s.phase ?? "", fault: false });
  } else if (e.type === "fault") {
    s.faults.push({ rule: e.rule, phase: e.phase });
    s.lines.push({ t_ms: e.t_ms, dir: "event", text: `fault rule ${e.rule} fired at ${e.phase}: ${e.effect}`, phase: e.phase, fault: true });
  } else if (e.type === "session_ended") {
    Object.assign(s, { outcome: e.outcome, closedBy: e.closed_by });
  }
  scheduleSessionRender(e.session);
}

let renderPending = false;
const dirty = new Set();
function scheduleSessionRender(id) {
  dirty.add(id);
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    renderSessionList();
    if (dirty.has(selectedSession)) renderSession();
    dirty.clear();
  });
}

function renderSessionList() {
  const list = $("session-list");
  const ids = [...sessions.keys()].sort((a, b) => b - a).slice(0, 500);
  list.replaceChildren(...ids.map((id) => {
    const s = sessions.get(id);
    const li = el("li", { "data-session": id, class: (s.faults.length ? "has-fault " : "") + (id === selectedSession ? "selected" : "") },
      el("strong", {}, `#${id} `), s.peer,
      el("div", { class: "meta" }, `${s.outcome}${s.faults.length ? ` · fault ${s.faults.map((f) => `${f.rule} at ${f.phase}`).join(", ")}` : ""}`));
    li.addEventListener("click", () => { selectedSession = id; renderSessionList(); renderSession(); });
    return li;
  }));
}

function ending(s) {
  return s.outcome === "active" ? "still connected" : `ended: ${s.outcome}${s.closedBy ? `, closed by ${s.closedBy}` : ""}`;
}

function renderSession() {
  const s = sessions.get(selectedSession);
  if (!s) return;
  const rows = [];
  let previous = 0;
  for (const l of s.lines) {
    const delay = l.t_ms - previous;
    previous = l.t_ms;
    rows.push(el("tr", { class: `dir-${l.dir}${l.fault ? " fault" : ""}`, "data-phase": l.phase ?? "" },
      el("td", { class: "t" }, `${l.t_ms.toFixed(1)} ms`),
      el("td", { class: "delay" }, delay >= 1 ? `+${delay.toFixed(0)} ms` : ""),
      el("td", { class: "phase" }, l.phase ?? ""),
      el("td", {}, l.dir === "event" ? "" : l.dir),
      el("td", { class: "text" }, l.text),
      el("td", { class: "meaning" }, l.dir === "S" ? replyMeaning(l.text) : "")));
  }
  const download = el("button", { type: "button", id: "download-session" }, "Download as text");
  download.addEventListener("click", () => saveText(`session-${s.id}.txt`, sessionText(s)));
  $("session-detail").replaceChildren(
    el("h2", {}, `Session #${s.id} from ${s.peer}`),
    el("p", { class: "meta" }, `started ${s.startedAt}`, " ", download),
    el("table", { id: "transcript" },
      el("thead", {}, el("tr", {}, el("th", {}, "time"), el("th", {}, "delay"), el("th", {}, "phase"), el("th", {}, ""), el("th", {}, "line"), el("th", {}, "meaning"))),
      el("tbody", {}, ...rows)),
    el("p", { class: "ended", id: "session-end" }, ending(s)));
}

function sessionText(s) {
  const out = [`session ${s.id} from ${s.peer}, started ${s.startedAt}`];
  for (const l of s.lines) {
    const tag = l.dir === "event" ? "*" : `${l.dir}:`;
    const meaning = l.dir === "S" ? replyMeaning(l.text) : "";
    out.push(`${l.t_ms.toFixed(3).padStart(10)} ms  ${(l.phase ?? "").padEnd(9)} ${tag} ${l.text}${meaning ? `    (${meaning})` : ""}`);
  }
  out.push(ending(s));
  return out.join("\n") + "\n";
}

function saveText(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---- faults ---------------------------------------------------------------------------------

let catalog = [];
let current = null;

async function loadFaults() {
  const [scenario, rules] = await Promise.all([api("GET", "/api/v1/scenario"), api("GET", "/api/v1/rules")]);
  current = scenario;
  $("listener").value = scenario.listener;
  $("rules").tBodies[0].replaceChildren(...rules.rules.map((r) => {
    const remove = el("button", { type: "button", "data-rule": r.id }, "Remove");
    remove.addEventListener("click", () => act(() => api("DELETE", `/api/v1/rules/${encodeURIComponent(r.id)}`)));
    return el("tr", {}, el("td", {}, r.id), el("td", { class: "text" }, JSON.stringify(r.when)),
      el("td", { class: "text" }, JSON.stringify(r.do)), el("td", {}, r.fired), el("td", {}, remove));
  }));
  renderCatalog();
  renderActive({ scenario: scenario.name || "healthy", rules: rules.rules.length, listener: scenario.listener });
}

function renderCatalog() {
  $("catalog").replaceChildren(...catalog.map((s) => {
    const apply = el("button", { type: "button", "data-apply": s.name }, "Apply");
    apply.addEventListener("click", () => act(() => api("PUT", "/api/v1/scenario", s.yaml, "application/yaml")));
    return el("li", { class: current && current.name === s.name ? "current" : "", "data-scenario": s.name },
      el("h3", {}, s.name, " ", apply), el("p", {}, s.summary),
      el("details", {}, el("summary", {}, "Explanation and rules"), el("pre", {}, s.description), el("pre", {}, s.yaml)));
  }));
}

function renderActive(a) {
  const name = $("active-scenario");
  name.textContent = `scenario: ${a.scenario}`;
  name.className = a.scenario === "healthy" && a.rules === 0 ? "" : "faulty";
  $("active-rules").textContent = `${a.rules} rule${a.rules === 1 ? "" : "s"}`;
  $("active-listener").textContent = `listener: ${a.listener}`;
  $("active-listener").className = a.listener === "open" ? "" : "faulty";
}

async function act(action) {
  $("rule-error").textContent = "";
  try {
    await action();
  } catch (err) {
    $("rule-error").textContent = err.message;
  }
  await loadFaults();
}

// ---- messages -------------------------------------------------------------------------------

async function loadMessages() {
  const data = await api("GET", "/api/v1/messages");
  $("message-list").replaceChildren(...data.messages.slice().reverse().map((m) => {
    const li = el("li", { "data-message": m.id }, el("strong", {}, m.subject ?? "(no subject)"),
      el("div", { class: "meta" }, `${m.from} → ${m.to.join(", ")} · ${m.size} octets · session ${m.session}`));
    li.addEventListener("click", () => showMessage(m));
    return li;
  }));
}

async function showMessage(m) {
  const raw = await api("GET", `/api/v1/messages/${encodeURIComponent(m.id)}/raw`);
  const headers = raw.split(/\r?\n\r?\n/, 1)[0];
  $("message-detail").replaceChildren(
    el("h2", {}, m.subject ?? "(no subject)"),
    el("p", {}, el("a", { href: `/api/v1/messages/${encodeURIComponent(m.id)}/raw`, download: `${m.id}.eml`, id: "download-eml" }, "Download .eml")),
    el("h3", {}, "Headers"), el("pre", { id: "message-headers" }, headers),
    el("h3", {}, "Raw source"), el("pre", { id: "message-raw" }, raw));
}

// ---- metrics --------------------------------------------------------------------------------

const buckets = []; // one per 10 s: {conn, r2, r4, r5, faults}
let lastCounters = null;

function bucket() {
  const now = Math.floor(Date.now() / 10000);
  if (!buckets.length || buckets[buckets.length - 1].at !== now) buckets.push({ at: now, conn: 0, r2: 0, r4: 0, r5: 0, faults: 0 });
  while (buckets.length > 30) buckets.shift();
  return buckets[buckets.length - 1];
}

function countEvent(e) {
  if (e.type === "session_opened") bucket().conn++;
  else if (e.type === "fault") bucket().faults++;
  else if (e.type === "reply" && /^\d{3} /.test(e.text)) {
    const c = e.text[0];
    bucket()[c === "4" ? "r4" : c === "5" ? "r5" : "r2"]++;
  }
}

function renderCounters(c) {
  lastCounters = c;
  const rows = [["connections accepted", c.connections.accepted], ["connections open", c.connections.active],
    ["connections refused", c.connections.refused], ["sessions", c.sessions.total], ["faults fired", c.faults_fired],
    ["messages accepted", c.messages.accepted], ["messages stored", c.messages.stored],
    ["octets received", c.bytes.received], ["octets sent", c.bytes.sent], ["uptime (s)", c.uptime_seconds]];
  $("counters").tBodies[0].replaceChildren(...rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v))));
  drawChart();
}

function drawChart() {
  const canvas = $("chart");
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  const series = [["conn", "#1f5fa8"], ["r2", "#2e7d32"], ["r4", "#a66300"], ["r5", "#b3261e"], ["faults", "#7b1fa2"]];
  const max = Math.max(1, ...buckets.flatMap((b) => series.map(([k]) => b[k])));
  const step = canvas.width / 30;
  for (const [k, color] of series) {
    g.strokeStyle = color;
    g.beginPath();
    buckets.forEach((b, i) => {
      const x = i * step, y = canvas.height - 10 - (b[k] / max) * (canvas.height - 20);
      i ? g.lineTo(x, y) : g.moveTo(x, y);
    });
    g.stroke();
  }
}

// ---- live events ----------------------------------------------------------------------------

function connect() {
  // Batched: each message holds the events of a few milliseconds, one per line.
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/events?batch=lines`);
  ws.addEventListener("open", () => { $("live").textContent = "live"; $("live").className = "on"; resync(); });
  ws.addEventListener("close", () => {
    $("live").textContent = "offline"; $("live").className = "off";
    setTimeout(connect, 2000);
  });
  ws.addEventListener("message", (m) => { for (const line of m.data.split("\n")) onEvent(JSON.parse(line)); });
}

function onEvent(e) {
  countEvent(e);
  if ("session" in e) onSessionEvent(e);
  else if (e.type === "counters") renderCounters(e.counters);
  else if (e.type === "lagged") resync();
  else if (["scenario_changed", "rules_changed", "listener_changed", "reset"].includes(e.type)) {
    renderActive(e);
    loadFaults();
    if (e.type === "reset") { sessions.clear(); loadSessions(); loadMessages(); }
  } else if (e.type === "messages_deleted") loadMessages();
  else if (e.type === "sessions_deleted") { sessions.clear(); renderSessionList(); }
  if (e.type === "message") loadMessages();
}

// What the page shows comes from the REST endpoints; events keep it up to date.
async function resync() {
  await Promise.all([loadSessions(), loadFaults(), loadMessages()]);
}

function showView() {
  const view = (location.hash || "#sessions").slice(1);
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== `view-${view}`;
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("current", a.dataset.view === view);
}

async function start() {
  window.addEventListener("hashchange", showView);
  showView();
  $("clear-scenario").addEventListener("click", () => act(() => api("DELETE", "/api/v1/scenario")));
  $("listener").addEventListener("change", (e) => act(() => api("PUT", "/api/v1/listener", { state: e.target.value })));
  $("add-rule").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("rule-text").value;
    const json = /^\s*[{[]/.test(text);
    act(() => api("POST", "/api/v1/rules", text, json ? "application/json" : "application/yaml"));
  });
  const [health, cat] = await Promise.all([fetch("/api/v1/health").then((r) => r.text()), api("GET", "/api/v1/catalog")]);
  // The seed is a 64-bit number: read its digits, a JavaScript number would round it.
  $("active-seed").textContent = `seed ${/"seed":(\d+)/.exec(health)?.[1] ?? "?"}`;
  catalog = cat.scenarios;
  startLearn(catalog);
  renderCounters(await api("GET", "/api/v1/stats"));
  connect();
}

start();
