// The awol dashboard: talks only to this server's JSON API (/docs documents it).
// All text from the server or the user enters the page as text nodes (el()), never as HTML.
"use strict";

const OUTPUTS = [
  ["on_duty", "On duty (end of period)"], ["retained_past_term", "Retained past term (end of period)"],
  ["deserters_at_large", "Deserters at large (end of period)"], ["new_desertions", "Desertions"],
  ["captures", "Captures"], ["deaths", "Deaths"], ["recruits", "Recruits"],
  ["cases_filed", "Court cases filed (public)"],
];
const SUMMARY_LABELS = {
  final_on_duty: "On duty (last day)", final_retained_past_term: "Retained past term (last day)",
  final_deserters_at_large: "Deserters at large (last day)", final_imprisoned: "Imprisoned (last day)",
  total_new_desertions: "Desertions (total)", total_captures: "Captures (total)",
  total_returned_to_front: "Returned to the front (total)", total_deaths: "Deaths (total)",
  total_recruits: "Recruits (total)", total_cases_opened: "Prosecutions opened (total)",
  total_cases_filed: "Court cases filed (total, public)", total_cases_decided: "Court cases decided (total, public)",
};
const COLOURS = ["31,95,168", "192,57,43"];
const $ = (id) => document.getElementById(id);
// plotly.js (4.8 MB, from this server) is loaded once the answers' tables are on screen:
// parsing it holds the page's only thread for a second or more, and tables need none of it.
let plotlyLoading = null;
function plotlyReady() {
  plotlyLoading = plotlyLoading || new Promise((resolve, reject) => {
    const script = el("script", { src: "/plotly.min.js" });
    script.onload = resolve;
    script.onerror = () => reject(new Error("plotly.min.js could not be loaded"));
    document.head.append(script);
  });
  return plotlyLoading;
}
let knownDone = new Set();
let scenarioLevers = [];

// el("td", {class: "x"}, "text", child, ...): an element whose strings become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return node;
}

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) { const err = new Error(response.status); err.body = body; err.status = response.status; throw err; }
  return body;
}

const fmt = (v) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en") : Number(v.toPrecision(3)).toLocaleString("en"));
const signed = (v) => (v > 0 ? "+" : v < 0 ? "−" : "±") + fmt(Math.abs(v));
const interval = (lo, hi, f = fmt) => `${f(lo)} to ${f(hi)}`;
const longDate = (iso) => new Date(iso + "T00:00:00Z").toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

// ---------------------------------------------------------------- answers (Q1-Q6)
async function loadAnswers() {
  let doc;
  try {
    doc = await getJSON("/api/answers");
  } catch (err) {
    $("answers-meta").textContent = err.body ? String(err.body.detail) : "The answers could not be loaded.";
    return;
  }
  $("answers-meta").replaceChildren(
    `On ${longDate(doc.until)}, at full scale (the whole force), from ${doc.nowcast.draws} draws of the calibrated `,
    el("code", {}, doc.scenario), ` posterior (${doc.posterior.file}; fitted: ${doc.posterior.parameters.join(", ")}). `,
    `The model starts on ${longDate(doc.start)}. Computed ${doc.built.created.slice(0, 10)} by `,
    el("code", {}, doc.built.command), ".");
  if (doc.stale.length) {
    $("stale").hidden = false;
    $("stale").replaceChildren(el("strong", {}, "Stale: "), doc.stale.join("; ") + ". These numbers are from older files; rebuild them with ",
                               el("code", {}, doc.rebuild), ".");
  }
  const rows = doc.nowcast.rows.map((r) => el("tr", { dataset: { quantity: r.quantity } },
    el("td", {}, r.quantity, el("span", { class: "unit" }, r.how)),
    el("td", { class: "median" }, fmt(r.q50)),
    el("td", { class: "i50" }, interval(r.q25, r.q75)),
    el("td", { class: "i90" }, interval(r.q05, r.q95)),
    el("td", { class: "drivers" }, r.drivers.length
      ? r.drivers.map((d) => el("span", { class: "driver", title: `mean absolute change ${fmt(d.mu_star)} ± ${fmt(d.mu_star_conf)} (Morris μ*)` }, d.parameter))
      : "—")));
  $("nowcast").tBodies[0].replaceChildren(...rows);
  renderQuestions(doc);
  renderDrivers(doc);
}

// The answers a reader asks about first; the others follow under "more".
const MAIN_SUMMARIES = ["total_new_desertions", "final_retained_past_term", "final_deserters_at_large",
                        "final_on_duty", "total_deaths", "total_recruits"];

function differenceTable(rows, referenceLabel) {
  const head = el("thead", {}, el("tr", {},
    el("th", {}, "answer"), el("th", {}, `${referenceLabel} (median)`), el("th", {}, "difference (median)"),
    el("th", {}, "50 % interval"), el("th", {}, "90 % interval"), el("th", {}, "mean, 95 % CI"), el("th", {}, "change")));
  const body = el("tbody", {}, rows.map((r) => {
    const mean = r.baseline_mean ?? r.reference_mean;
    const reference = r.reference ? r.reference.q50 : mean;
    const relative = mean ? `${signed(100 * r.mean_difference / Math.abs(mean))} %` : "—";
    return el("tr", { dataset: { summary: r.summary } },
      el("td", { title: r.unit }, SUMMARY_LABELS[r.summary] || r.summary),
      el("td", {}, fmt(reference)),
      el("td", { class: "median" }, signed(r.q50)),
      el("td", { class: "i50" }, interval(r.q25, r.q75, signed)),
      el("td", { class: "i90" }, interval(r.q05, r.q95, signed)),
      el("td", { class: "mean" }, `${signed(r.mean_difference)} (${interval(r.low ?? r.mean_low, r.high ?? r.mean_high, signed)})`),
      el("td", {}, relative));
  }));
  return el("table", { class: "differences" }, head, body);
}

function differenceRows(rows, referenceLabel) {
  const main = rows.filter((r) => MAIN_SUMMARIES.includes(r.summary));
  const more = rows.filter((r) => !MAIN_SUMMARIES.includes(r.summary));
  return [differenceTable(main, referenceLabel),
          more.length ? el("details", {}, el("summary", {}, `${more.length} more answers`), differenceTable(more, referenceLabel)) : []];
}

function renderQuestions(doc) {
  const m = doc.questions_method;
  $("questions-meta").textContent = `Each policy is run against the baseline ${m.runs} times at full scale from ${longDate(doc.start)} ` +
    `to ${longDate(doc.until)}: run k of both uses posterior draw k and the same random numbers, so each difference is paired. ` +
    "The intervals are those of the paired differences (parameters and chance); the mean's 95 % CI says how well the runs pin it down.";
  $("question-panels").replaceChildren(...doc.questions.map((q) => el("div", { class: "question", dataset: { question: q.question, scenario: q.scenario } },
    el("h3", {}, `${q.question} · ${q.asks}`),
    el("p", { class: "muted" }, el("code", {}, q.scenario), " − baseline: ", q.description),
    differenceRows(q.rows, "baseline"))));
}

function renderDrivers(doc) {
  const s = doc.sensitivity;
  $("drivers-meta").textContent = `Morris screening of the baseline at full scale: ${s.trajectories} trajectories over ${s.parameters} ` +
    `parameters with declared ranges (${s.runs} runs). μ* is the mean absolute change of an answer when one parameter moves by ${s.step}; ` +
    "bars show μ* with its 95 % bootstrap half-width. A screening ranks parameters; it does not split the variance.";
  const outputs = Object.keys(s.units);
  $("driver-output").replaceChildren(...outputs.map((o) => el("option", { value: o }, SUMMARY_LABELS[o] || o)));
  const draw = () => {
    const output = $("driver-output").value;
    const rows = s.rows.filter((r) => r.summary === output).sort((a, b) => b.mu_star - a.mu_star).slice(0, 12).reverse();
    Plotly.newPlot($("driver-chart"), [{
      type: "bar", orientation: "h", x: rows.map((r) => r.mu_star), y: rows.map((r) => r.parameter),
      error_x: { type: "data", array: rows.map((r) => r.mu_star_conf), visible: true }, marker: { color: "rgb(31,95,168)" },
      hovertemplate: "%{y}: μ* %{x:,.0f}<extra></extra>",
    }], {
      height: 420, margin: { l: 290, r: 20, t: 10, b: 55 }, template: "plotly_white",
      xaxis: { title: { text: `μ*: ${s.units[output]} (mean absolute change per step)` }, rangemode: "tozero" },
    }, { displaylogo: false, responsive: true });
  };
  $("driver-output").onchange = draw;
  plotlyReady().then(draw);
}

// ---------------------------------------------------------------- run your own
async function loadScenarios() {
  const list = await getJSON("/api/scenarios");
  $("scenario").replaceChildren(...list.map((s) => el("option", { value: s.name }, s.name)));
  $("compare-with").replaceChildren(el("option", { value: "" }, "(nothing: an ensemble)"),
                                    ...list.map((s) => el("option", { value: s.name }, s.name)));
  $("scenario").value = list.some((s) => s.name === "baseline") ? "baseline" : list[0].name;
  await loadLevers();
}

function rangeNote(lever) {
  const parts = [];
  if (lever.range) parts.push(`declared range ${lever.range[0]}–${lever.range[1]}`);
  if (lever.source) parts.push(lever.source);
  return parts.join(" · ");
}

function flagCounterfactual(input) {
  const lever = scenarioLevers.find((l) => l.path === input.dataset.path);
  const note = input.parentElement.querySelector(".flag");
  const value = Number(input.value);
  const outside = lever && lever.range && input.type === "number" && input.value !== "" &&
    (value < lever.range[0] || value > lever.range[1]);
  note.hidden = !outside;
  note.textContent = outside ? `outside the declared range ${lever.range[0]}–${lever.range[1]}` +
    (lever.source ? ` (${lever.source})` : "") + ": allowed, run as a counterfactual" : "";
}

async function loadLevers() {
  const sc = await getJSON(`/api/scenarios/${encodeURIComponent($("scenario").value)}`);
  scenarioLevers = sc.levers;
  $("description").textContent = sc.description;
  $("days").placeholder = `${sc.days} (scenario's)`;
  const groups = new Map();
  for (const lever of sc.levers) {
    if (!groups.has(lever.group)) groups.set(lever.group, []);
    const input = el("input", { name: lever.path, dataset: { path: lever.path } });
    if (typeof lever.value === "boolean") { input.type = "checkbox"; input.checked = lever.value; }
    else { input.type = "number"; input.step = "any"; input.value = lever.value; }
    input.dataset.initial = input.type === "checkbox" ? String(input.checked) : input.value;
    input.addEventListener("input", () => { flagCounterfactual(input); scheduleEstimate(); });
    const label = el("label", { class: "lever" }, el("span", {}, lever.label), input,
      el("span", { class: "range" }, rangeNote(lever)), el("span", { class: "flag", hidden: true }));
    groups.get(lever.group).push(label);
  }
  $("levers").replaceChildren(...[...groups].map(([group, labels], i) =>
    el("details", { open: i === 0 }, el("summary", {}, `${group} (${labels.length})`), labels)));
  scheduleEstimate();
}

function request() {
  const levers = {};
  for (const input of document.querySelectorAll("#levers input")) {
    const value = input.type === "checkbox" ? String(input.checked) : input.value;
    if (value === input.dataset.initial) continue;  // send only what the user changed
    levers[input.dataset.path] = input.type === "checkbox" ? input.checked : (input.value === "" ? null : Number(input.value));
  }
  const num = (id) => ($(id).value === "" ? null : Number($(id).value));
  const compareWith = $("compare-with").value || null;
  return { scenario: $("scenario").value, levers, days: num("days"), runs: num("runs"), scale: num("scale"),
           label: $("label").value || null, compare_with: compareWith,
           posterior: compareWith && $("posterior").checked ? "baseline" : null };
}

let estimateTimer = null;
function scheduleEstimate() { clearTimeout(estimateTimer); estimateTimer = setTimeout(showEstimate, 250); }

async function showEstimate() {
  try {
    const e = await getJSON("/api/jobs/estimate", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request()) });
    const scale = e.scale === 1 ? "full scale" : `scale ${e.scale}: counts will be shown scaled back ×${fmt(1 / e.scale)}`;
    $("estimate").textContent = `${e.runs} run(s) × ${e.days} days, ${scale}; about ${e.seconds < 1 ? "1" : fmt(e.seconds)} s` +
      (e.too_large ? " — too large for this server: lower runs, days or scale" : "") + ".";
    showErrors([]);
  } catch (err) {
    $("estimate").textContent = "";
    if (err.body) showErrors(err.body.detail);
  }
}

function showErrors(detail) {
  document.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
  const items = Array.isArray(detail) ? detail : [{ loc: [], msg: String(detail) }];
  $("errors").replaceChildren();
  for (const d of items) {
    const field = d.loc.slice(1).join(".");
    $("errors").append(el("p", {}, `${field || "request"}: ${d.msg}`));
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
    pollJobs();
  } catch (err) {
    showErrors(err.body ? err.body.detail : err.message);
  }
}

function describe(job) {
  const r = job.request;
  const levers = Object.entries(r.levers).map(([k, v]) => `${k}=${v}`).join(", ");
  const what = r.compare_with ? `paired with ${r.compare_with}${r.posterior ? " (posterior draws)" : ""}, ` : "";
  return `${what}${r.runs} run(s) × ${r.days} days, ${r.scale === 1 ? "full scale" : "scale " + r.scale}${levers ? "; " + levers : ""}`;
}

async function pollJobs() {
  const jobs = await getJSON("/api/jobs");
  $("jobs").replaceChildren(...(jobs.length ? jobs.map((j) => el("div", { class: "job", dataset: { id: j.id, status: j.status } },
    el("strong", {}, j.label), " ", el("span", { class: "status" }, j.status),
    j.status === "done" ? [" · ", el("a", { href: `/api/jobs/${encodeURIComponent(j.id)}/report`, target: "_blank" }, "report")] : [],
    el("div", { class: "muted" }, describe(j)),
    j.error ? el("div", { class: "status" }, j.error) : [],
    el("div", { class: "bar" }, el("div", { style: `width:${(100 * j.done / Math.max(1, j.total)).toFixed(1)}%` }))))
    : [el("p", { class: "muted" }, "No jobs yet.")]));
  const done = jobs.filter((j) => j.status === "done");
  const fresh = done.filter((j) => !knownDone.has(j.id));
  if (fresh.length) {
    done.forEach((j) => knownDone.add(j.id));
    // The newest finished job is shown; the one shown before it goes beside it.
    const previous = $("compare-a").value || (done[1] ? done[1].id : "");
    const options = () => done.map((j) => el("option", { value: j.id }, `${j.label} (${j.id.slice(-6)})`));
    $("compare-a").replaceChildren(...options());
    $("compare-b").replaceChildren(el("option", { value: "" }, "(nothing)"), ...options());
    $("compare-a").value = done[0].id;
    $("compare-b").value = previous && previous !== done[0].id ? previous : "";
    drawResults();
  }
  if (jobs.some((j) => j.status === "queued" || j.status === "running")) setTimeout(pollJobs, 700);
}

function fanTraces(view, colour) {
  return (column) => {
    const s = view.series[column], x = view.dates, out = [];
    if (view.runs > 1) {
      for (const [lo, hi, alpha, name] of [["q05", "q95", 0.15, "90 % of runs"], ["q25", "q75", 0.3, "50 % of runs"]]) {
        out.push({ x, y: s[hi], mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" });
        out.push({ x, y: s[lo], mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: `rgba(${colour},${alpha})`,
                   name: `${view.label}: ${name}` });
      }
    }
    out.push({ x, y: s.q50, mode: "lines", line: { color: `rgb(${colour})`, width: 2 },
               name: view.runs > 1 ? `${view.label}: median of ${view.runs} runs` : view.label });
    return out;
  };
}

function summaryTable(views) {
  const names = views[0].summary.map((r) => r.summary);
  const head = el("tr", {}, el("th", {}, "per run, then over runs"),
    views.map((v) => [el("th", {}, `${v.label}: median`), el("th", {}, v.runs > 1 ? "90 % of runs" : "")]));
  const rows = names.map((name) => el("tr", { dataset: { summary: name } }, el("td", {}, SUMMARY_LABELS[name] || name),
    views.map((v) => {
      const r = v.summary.find((x) => x.summary === name);
      return [el("td", { class: "median" }, fmt(r.q50)), el("td", { class: "i90" }, v.runs > 1 ? interval(r.q05, r.q95) : "")];
    })));
  return el("table", { id: "comparison" }, el("thead", {}, head), el("tbody", {}, rows));
}

let drawing = 0;
async function drawResults() {
  const ids = [$("compare-a").value, $("compare-b").value].filter(Boolean);
  if (!ids.length) return;
  const ticket = ++drawing;
  const period = $("period").value;
  const results = await Promise.all([...new Set(ids)].map((id) => getJSON(`/api/jobs/${encodeURIComponent(id)}/results?period=${period}`)));
  if (ticket !== drawing) return;  // a newer choice is being drawn
  const views = results.flatMap((r) => (r.reference ? [r.reference, r] : [r]));
  const scaled = results.filter((r) => r.scaled_back);
  $("scale-note").hidden = !scaled.length;
  $("scale-note").textContent = scaled.map((r) => `${r.label} ran at scale ${r.scale}: every count is shown scaled back ×${fmt(1 / r.scale)} to the full force.`).join(" ");
  const first = results[0];
  $("differences").replaceChildren(...(first.differences
    ? [el("h3", {}, `${first.label} − ${first.reference.label}: paired differences over ${first.runs} runs`),
       ...differenceRows(first.differences, first.reference.label).flat()]
    : []));
  $("summary").replaceChildren(summaryTable(views));
  await plotlyReady();
  if (ticket !== drawing) return;
  const makers = views.map((v, i) => fanTraces(v, COLOURS[i % COLOURS.length]));
  $("charts").replaceChildren();
  const per = { day: "per day", week: "per week", month: "per month" }[period];
  for (const [column, title] of OUTPUTS) {
    const div = el("div", { class: "chart", dataset: { column } });
    $("charts").append(div);
    const stock = title.includes("end of period");
    Plotly.newPlot(div, makers.flatMap((m) => m(column)), {
      title: { text: stock ? title.replace("period", period) : `${title} ${per}`, font: { size: 14 } },
      height: 320, margin: { l: 60, r: 10, t: 40, b: 30 },
      legend: { orientation: "h", y: -0.25, font: { size: 11 } }, template: "plotly_white",
    }, { displaylogo: false, responsive: true });
  }
}

$("scenario").addEventListener("change", loadLevers);
for (const id of ["days", "runs", "scale", "compare-with", "posterior"]) $(id).addEventListener("input", scheduleEstimate);
$("form").addEventListener("submit", launch);
$("compare-a").addEventListener("change", drawResults);
$("compare-b").addEventListener("change", drawResults);
$("period").addEventListener("change", drawResults);
loadAnswers().finally(() => { plotlyReady(); loadScenarios().then(pollJobs); });
