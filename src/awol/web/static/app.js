// The awol dashboard: talks only to this server's JSON API (/docs documents it).
"use strict";

const OUTPUTS = [
  ["on_duty", "On duty"], ["retained_past_term", "Retained past term"],
  ["deserters_at_large", "Deserters at large"], ["new_desertions", "New desertions per day"],
  ["captures", "Captures per day"], ["deaths", "Deaths per day"],
  ["recruits", "Recruits per day"], ["cases_filed", "Court cases filed per day (public)"],
];
const COLOURS = ["31,95,168", "192,57,43"];
const $ = (id) => document.getElementById(id);
let knownDone = new Set();

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) { const err = new Error(response.status); err.body = body; err.status = response.status; throw err; }
  return body;
}

async function loadScenarios() {
  const list = await getJSON("/api/scenarios");
  $("scenario").innerHTML = list.map((s) => `<option value="${s.name}">${s.name}</option>`).join("");
  $("scenario").value = list.some((s) => s.name === "baseline") ? "baseline" : list[0].name;
  await loadLevers();
}

async function loadLevers() {
  const sc = await getJSON(`/api/scenarios/${encodeURIComponent($("scenario").value)}`);
  $("description").textContent = sc.description;
  $("levers").innerHTML = "";
  for (const lever of sc.levers) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.dataset.path = lever.path;
    input.name = lever.path;
    if (typeof lever.value === "boolean") { input.type = "checkbox"; input.checked = lever.value; }
    else { input.type = "number"; input.step = "any"; input.value = lever.value; }
    input.dataset.initial = input.type === "checkbox" ? String(input.checked) : input.value;
    label.append(document.createTextNode(lever.label), input);
    if (lever.range || lever.source) {
      const note = document.createElement("span");
      note.className = "range";
      note.textContent = [lever.range ? `range ${lever.range[0]}–${lever.range[1]}` : "", lever.source || ""].filter(Boolean).join(" · ");
      label.append(note);
    }
    $("levers").append(label);
  }
}

function request() {
  const levers = {};
  for (const input of document.querySelectorAll("#levers input")) {
    const value = input.type === "checkbox" ? String(input.checked) : input.value;
    if (value === input.dataset.initial) continue;  // send only what the user changed
    levers[input.dataset.path] = input.type === "checkbox" ? input.checked : (input.value === "" ? null : Number(input.value));
  }
  const num = (id) => ($(id).value === "" ? null : Number($(id).value));
  return { scenario: $("scenario").value, levers, days: num("days"), runs: num("runs"), scale: num("scale"),
           label: $("label").value || null };
}

function showErrors(detail) {
  document.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  const items = Array.isArray(detail) ? detail : [{ loc: [], msg: String(detail) }];
  $("errors").innerHTML = "";
  for (const d of items) {
    const field = d.loc.slice(1).join(".");
    const p = document.createElement("p");
    p.textContent = `${field || "request"}: ${d.msg}`;
    $("errors").append(p);
    const name = d.loc[1] === "levers" ? d.loc[2] : d.loc[1];
    const input = document.querySelector(`[name="${CSS.escape(String(name))}"]`);
    if (input) input.classList.add("invalid");
  }
}

async function launch(event) {
  event.preventDefault();
  try {
    await getJSON("/api/jobs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request()) });
    showErrors([]);
    $("errors").innerHTML = "";
    pollJobs();
  } catch (err) {
    showErrors(err.body ? err.body.detail : err.message);
  }
}

function describe(job) {
  const r = job.request;
  const levers = Object.entries(r.levers).map(([k, v]) => `${k.split(".").slice(-2).join(".")}=${v}`).join(", ");
  return `${r.runs} run(s) × ${r.days} days, scale ${r.scale}${levers ? "; " + levers : ""}`;
}

async function pollJobs() {
  const jobs = await getJSON("/api/jobs");
  $("jobs").innerHTML = jobs.map((j) => `
    <div class="job" data-id="${j.id}" data-status="${j.status}">
      <strong>${j.label}</strong> <span class="status">${j.status}</span>
      ${j.status === "done" ? `· <a href="/api/jobs/${j.id}/report" target="_blank">report</a>` : ""}
      <div class="muted">${describe(j)}</div>
      ${j.error ? `<div class="status">${j.error}</div>` : ""}
      <div class="bar"><div style="width:${(100 * j.done / Math.max(1, j.total)).toFixed(1)}%"></div></div>
    </div>`).join("") || '<p class="muted">No jobs yet.</p>';
  const done = jobs.filter((j) => j.status === "done");
  const fresh = done.filter((j) => !knownDone.has(j.id));
  if (fresh.length) {
    done.forEach((j) => knownDone.add(j.id));
    // The newest finished job is shown; the one shown before it becomes the comparison.
    const previous = $("compare-a").value || (done[1] ? done[1].id : "");
    const options = done.map((j) => `<option value="${j.id}">${j.label} (${j.id.slice(-6)})</option>`).join("");
    $("compare-a").innerHTML = options;
    $("compare-b").innerHTML = '<option value="">(none)</option>' + options;
    $("compare-a").value = done[0].id;
    $("compare-b").value = previous && previous !== done[0].id ? previous : "";
    drawResults();
  }
  if (jobs.some((j) => j.status === "queued" || j.status === "running")) setTimeout(pollJobs, 700);
}

function fanTraces(result, colour) {
  return (column) => {
    const s = result.series[column], x = result.dates, out = [];
    if (result.runs > 1) {
      for (const [lo, hi, alpha] of [["q05", "q95", 0.15], ["q25", "q75", 0.3]]) {
        out.push({ x, y: s[hi], mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" });
        out.push({ x, y: s[lo], mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: `rgba(${colour},${alpha})`,
                   name: `${result.label} ${lo.slice(1)}–${hi.slice(1)} %` });
      }
    }
    out.push({ x, y: s.q50, mode: "lines", line: { color: `rgb(${colour})`, width: 2 },
               name: result.runs > 1 ? `${result.label} median (${result.runs} runs)` : result.label });
    return out;
  };
}

function summary(results) {
  const last = (r, c) => r.series[c].q50[r.series[c].q50.length - 1];
  const sum = (r, c) => r.series[c].q50.reduce((a, b) => a + b, 0);
  const rows = [["On duty (end, median)", (r) => last(r, "on_duty")], ["Retained past term (end)", (r) => last(r, "retained_past_term")],
                ["Deserters at large (end)", (r) => last(r, "deserters_at_large")], ["Desertions (sum of daily medians)", (r) => sum(r, "new_desertions")],
                ["Deaths (sum of daily medians)", (r) => sum(r, "deaths")], ["Court cases filed (sum of daily medians)", (r) => sum(r, "cases_filed")]];
  const fmt = (v) => Math.round(v).toLocaleString("en");
  return `<table id="comparison"><tr><th></th>${results.map((r) => `<th>${r.label}</th>`).join("")}</tr>` +
    rows.map(([name, f]) => `<tr><td>${name}</td>${results.map((r) => `<td>${fmt(f(r))}</td>`).join("")}</tr>`).join("") + "</table>";
}

let drawing = 0;
async function drawResults() {
  const ids = [$("compare-a").value, $("compare-b").value].filter(Boolean);
  if (!ids.length) return;
  const ticket = ++drawing;
  const results = await Promise.all([...new Set(ids)].map((id) => getJSON(`/api/jobs/${id}/results`)));
  if (ticket !== drawing) return;  // a newer choice is being drawn
  $("summary").innerHTML = summary(results);
  const makers = results.map((r, i) => fanTraces(r, COLOURS[i % COLOURS.length]));
  $("charts").innerHTML = "";
  for (const [column, title] of OUTPUTS) {
    const div = document.createElement("div");
    div.className = "chart";
    div.dataset.column = column;
    $("charts").append(div);
    Plotly.newPlot(div, makers.flatMap((m) => m(column)), {
      title: { text: title, font: { size: 14 } }, height: 300, margin: { l: 55, r: 10, t: 40, b: 30 },
      legend: { orientation: "h", y: -0.2, font: { size: 10 } }, template: "plotly_white",
    }, { displaylogo: false, responsive: true });
  }
}

$("scenario").addEventListener("change", loadLevers);
$("form").addEventListener("submit", launch);
$("compare-a").addEventListener("change", drawResults);
$("compare-b").addEventListener("change", drawResults);
loadScenarios().then(pollJobs);
