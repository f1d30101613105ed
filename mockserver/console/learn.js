// The Learn view: pick a scenario and a client (the built-in probe, or lines typed here and sent
// to a fresh connection by the mock) and see side by side what was sent, what came back, what
// the RFCs say, and what a monitor should report. Everything shown goes through textContent.

import { $, api, el } from "/console/dom.js";
import { kindMeaning, phaseOfCommand, phaseRule, replyMeaning } from "/console/smtp_meaning.js";

let catalog = [];

/** Fills the scenario list and wires the form; `scenarios` is GET /api/v1/catalog's list. */
export function startLearn(scenarios) {
  catalog = scenarios;
  $("learn-scenario").replaceChildren(...catalog.map((s) => el("option", { value: s.name }, s.name)));
  $("learn-scenario").addEventListener("change", showAbout);
  for (const r of document.querySelectorAll('input[name="learn-client"]')) r.addEventListener("change", showClient);
  $("learn-form").addEventListener("submit", (e) => { e.preventDefault(); run(); });
  showClient();
  showAbout();
}

function client() {
  return document.querySelector('input[name="learn-client"]:checked').value;
}

function showClient() {
  const talk = client() === "talk";
  $("learn-lines-label").hidden = !talk;
  $("learn-connections-label").hidden = talk;
}

function chosen() {
  return catalog.find((s) => s.name === $("learn-scenario").value);
}

function showAbout() {
  const s = chosen();
  if (!s) return;
  $("learn-about").replaceChildren(el("h2", {}, s.name), el("p", {}, s.summary),
    el("details", {}, el("summary", {}, "What it simulates and what RFC 5321 says"), el("pre", {}, s.description)));
}

async function run() {
  const s = chosen();
  const status = $("learn-status");
  $("learn-runs").replaceChildren();
  status.textContent = `Applying ${s.name} to this mock…`;
  $("learn-run").disabled = true;
  try {
    await api("PUT", "/api/v1/scenario", s.yaml, "application/yaml");
    if (client() === "talk") {
      status.textContent = "Sending your lines to a fresh connection…";
      const lines = $("learn-lines").value.split(/\r?\n/);
      while (lines.length && lines[lines.length - 1] === "") lines.pop();
      const out = await api("POST", "/api/v1/learn/talk", { lines });
      $("learn-runs").replaceChildren(renderRun("Your connection", out.transcript, null, out.scenario));
    } else {
      const connections = Number($("learn-connections").value) || 1;
      status.textContent = `Running the built-in probe, ${connections} connection${connections === 1 ? "" : "s"} in a row…`;
      const out = await api("POST", "/api/v1/learn/probe", { connections });
      $("learn-runs").replaceChildren(...out.runs.map((r, i) =>
        renderRun(`Connection ${i + 1} of ${out.runs.length}`, r.result.transcript, r, out.scenario)));
    }
    status.textContent = `Done. Each connection is also in the Sessions view, as the mock recorded it.`;
  } catch (err) {
    status.textContent = err.message;
  } finally {
    $("learn-run").disabled = false;
  }
}

// The transcript as rows: time, phase, what was sent, what came back, what the RFC says.
function rows(transcript, failure) {
  const out = [];
  // The client resolves the name, connects, then waits for the banner.
  let phase = "dns";
  const explained = new Set();
  for (const line of transcript) {
    if (line.dir === "C") phase = phaseOfCommand(line.text) ?? phase;
    if (line.dir === "event" && line.text.startsWith("connected to")) phase = "connect";
    let rule = "";
    if (line.dir === "S") rule = replyMeaning(line.text);
    if (line.dir === "C" && !explained.has(phase)) rule = phaseRule(phase);
    if (line.dir === "S" && !explained.has(phase) && rule === "") rule = phaseRule(phase);
    if (phase === "connect") rule = phaseRule(phase);
    if (line.dir !== "event") explained.add(phase);
    const row = phase;
    if (phase === "connect") phase = "banner";
    out.push(el("tr", { class: `dir-${line.dir}`, "data-phase": row },
      el("td", { class: "t" }, `${Number(line.t_ms).toFixed(1)} ms`), el("td", { class: "phase" }, row),
      el("td", { class: "text sent" }, line.dir === "C" ? line.text : line.dir === "event" ? line.text : ""),
      el("td", { class: "text back" }, line.dir === "S" ? line.text : ""),
      el("td", { class: "meaning" }, rule)));
  }
  if (failure) {
    out.push(el("tr", { class: "fault failure", "data-phase": failure.phase },
      el("td", { class: "t" }, ""), el("td", { class: "phase" }, failure.phase),
      el("td", { class: "text", colspan: "2" }, `${failure.kind} at ${failure.phase}: ${failure.message}`),
      el("td", { class: "meaning" }, `${failure.kind}: ${kindMeaning(failure.kind)}. ${phaseRule(failure.phase)}`)));
  }
  return out;
}

function expected(scenario) {
  const e = scenario.expect;
  if (!e) return "nothing is said for this scenario";
  const status = e.status.join(" or ");
  return e.kind ? `${status}: ${e.kind} at ${e.phase}` : status;
}

function observed(result) {
  return result.failure ? `${result.status}: ${result.failure.kind} at ${result.failure.phase}` : result.status;
}

// The monitor's side: what the scenario says a good monitor reports, and what the probe said.
function report(probe, scenario) {
  const items = [el("dt", {}, "A monitor should report"), el("dd", { class: "expected" }, expected(scenario))];
  if (probe) {
    const r = probe.result;
    const e = scenario.expect;
    const agrees = !e || (e.status.includes(r.status) && (!e.kind || (r.failure && r.failure.kind === e.kind && r.failure.phase === e.phase)));
    items.push(el("dt", {}, "The built-in probe reported"),
      el("dd", { class: `observed ${agrees ? "agrees" : "differs"}` }, observed(r),
        agrees ? " (as expected)" : " (not what the scenario expects)"),
      el("dt", {}, "As a Nagios plugin line"), el("dd", { class: "text" }, probe.nagios.trim()));
    if (r.failure) items.push(el("dt", {}, "What that means"), el("dd", {}, `${r.failure.kind}: ${kindMeaning(r.failure.kind)}`));
  }
  return el("dl", { class: "learn-report" }, ...items);
}

function renderRun(title, transcript, probe, scenario) {
  const failure = probe?.result.failure ?? null;
  return el("section", { class: "learn-run" }, el("h3", {}, title),
    el("div", { class: "learn-side" },
      el("table", { class: "learn-table" },
        el("thead", {}, el("tr", {}, el("th", {}, "time"), el("th", {}, "phase"), el("th", {}, "sent (and what happened)"),
          el("th", {}, "came back"), el("th", {}, "what the RFC says"))),
        el("tbody", {}, ...rows(transcript, failure))),
      report(probe, scenario)));
}
