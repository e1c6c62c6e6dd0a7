// Realign operator dashboard: a worked example of the GraphQL stats API.
//
// 1. GET /v1/me checks the key: it must carry `stats:read` and belong to an internal (operator) client.
// 2. ONE GraphQL query fetches everything drawn below (STATS_QUERY): a series per bucket and the range's totals,
//    overall and per client.
//    Adherence and outcome changes (issue 18) are aggregates of the same query: strength sessions done of those
//    scheduled per bucket, and per outcome measure the share of follow-up takings that reached its MCID.
// 3. Chart.js (vendored from the npm registry by `make dashboard-assets`) draws it; no CDN at run time.
"use strict";

const STATS_QUERY = `
query Dashboard($from: Date!, $to: Date!, $bucket: StatsBucket!) {
  overall: stats(from: $from, to: $to, bucket: $bucket) {
    series { start assessments referrals referralRate programs checkIns
             byStatus { key count } byPattern { key count }
             adherence { programWeeks sessionsDone sessionsScheduled rate } }
    totals { assessments referrals referralRate programs checkIns decisions
             decisionsByKind { key count }
             adherence { programWeeks sessionsDone sessionsScheduled rate }
             outcomeChanges { measure followUps meanChange mcidReached mcidReachedRate }
             referralReasons(limit: 10) { key count }
             overactiveMuscles(limit: 8) { key count }
             underactiveMuscles(limit: 8) { key count }
             topExercises(limit: 5) { phase exercises { key count } } }
  }
  clients: stats(from: $from, to: $to, bucket: $bucket, byClient: true) {
    clientTotals { client { id name } assessments referralRate programs checkIns adherence { rate } }
  }
}`;

const $ = (id) => document.getElementById(id);
const charts = {};

function say(text, isError = false) {
  const box = $("message");
  box.textContent = text;
  box.className = isError ? "error" : "";
  box.hidden = !text;
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function defaults() {
  const today = new Date();
  const tomorrow = new Date(today.getTime() + 86400000);
  const start = new Date(today.getTime() - 12 * 7 * 86400000);
  $("from").value = isoDay(start);
  $("to").value = isoDay(tomorrow);
  $("key").value = sessionStorage.getItem("realign-key") || "";
}

async function call(path, key, init = {}) {
  const response = await fetch(path, {
    ...init,
    headers: { ...(init.headers || {}), Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
  });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

// The key's client and scopes, or a message saying why it cannot open the dashboard.
async function checkKey(key) {
  const { status, body } = await call("/v1/me", key);
  if (status === 401) return { refusal: "This key is not valid (unknown, revoked or mistyped)." };
  if (status !== 200) return { refusal: `Could not check the key: ${body.detail || status}.` };
  if (!body.scopes.includes("stats:read")) {
    return { refusal: `This key lacks the 'stats:read' scope: it cannot read stats. Ask for an operator key.` };
  }
  if (!body.client.internal) {
    return { refusal: "This dashboard needs an operator key (a client created with --internal)." };
  }
  return { me: body };
}

function draw(id, config) {
  if (charts[id]) charts[id].destroy();
  charts[id] = new Chart($(id), { ...config, options: { animation: false, responsive: true, ...(config.options || {}) } });
}

function keysOf(points, field) {
  const keys = new Set();
  points.forEach((p) => p[field].forEach((kc) => keys.add(kc.key)));
  return [...keys].sort();
}

function countOf(point, field, key) {
  const found = point[field].find((kc) => kc.key === key);
  return found ? found.count : 0;
}

function percent(rate) {
  return rate === null ? "–" : `${(rate * 100).toFixed(1)} %`;
}

// Adherence per bucket (a line, 0-1; a bucket without a counted program-week has no point) over the check-ins
// (bars), and the share of each measure's follow-ups that reached its MCID.
function renderCare(series, totals, labels) {
  $("total-check-ins").textContent = String(totals.checkIns);
  $("adherence").textContent = percent(totals.adherence.rate);
  draw("chart-adherence", {
    type: "bar",
    data: {
      labels,
      datasets: [
        { type: "line", label: "adherence", data: series.map((p) => p.adherence.rate), yAxisID: "rate", spanGaps: true },
        { type: "bar", label: "check-ins", data: series.map((p) => p.checkIns), yAxisID: "count" },
      ],
    },
    options: {
      scales: {
        rate: { position: "left", beginAtZero: true, max: 1 },
        count: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } },
      },
    },
  });
  const measures = totals.outcomeChanges;
  draw("chart-mcid", {
    type: "bar",
    data: {
      labels: measures.map((m) => `${m.measure} (${m.mcidReached} of ${m.followUps})`),
      datasets: [{ label: "share of follow-ups reaching the MCID", data: measures.map((m) => m.mcidReachedRate) }],
    },
    options: { scales: { y: { beginAtZero: true, max: 1 } } },
  });
  draw("chart-decisions", {
    type: "bar",
    data: { labels: totals.decisionsByKind.map((kc) => kc.key), datasets: [{ label: "decisions", data: totals.decisionsByKind.map((kc) => kc.count) }] },
    options: { indexAxis: "y" },
  });
}

function render(data) {
  const series = data.overall.series;
  const totals = data.overall.totals;
  const labels = series.map((p) => p.start);
  $("total-assessments").textContent = String(totals.assessments);
  $("total-programs").textContent = String(totals.programs);
  $("referral-rate").textContent = percent(totals.referralRate);
  renderCare(series, totals, labels);

  const stacked = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };
  draw("chart-status", {
    type: "bar",
    data: { labels, datasets: keysOf(series, "byStatus").map((key) => ({ label: key, data: series.map((p) => countOf(p, "byStatus", key)) })) },
    options: stacked,
  });
  draw("chart-patterns", {
    type: "bar",
    data: { labels, datasets: keysOf(series, "byPattern").map((key) => ({ label: key, data: series.map((p) => countOf(p, "byPattern", key)) })) },
  });
  draw("chart-referral-rate", {
    type: "line",
    data: { labels, datasets: [{ label: "referral rate", data: series.map((p) => p.referralRate) }] },
    options: { scales: { y: { beginAtZero: true, max: 1 } } },
  });
  draw("chart-referral-reasons", {
    type: "bar",
    data: { labels: totals.referralReasons.map((kc) => kc.key), datasets: [{ label: "referrals", data: totals.referralReasons.map((kc) => kc.count) }] },
    options: { indexAxis: "y" },
  });
  draw("chart-programs", {
    type: "bar",
    data: { labels, datasets: [{ label: "programs", data: series.map((p) => p.programs) }] },
  });
  const muscles = [...new Set([...totals.overactiveMuscles, ...totals.underactiveMuscles].map((kc) => kc.key))];
  draw("chart-muscles", {
    type: "bar",
    data: {
      labels: muscles,
      datasets: [
        { label: "overactive", data: muscles.map((m) => countOf(totals, "overactiveMuscles", m)) },
        { label: "underactive", data: muscles.map((m) => countOf(totals, "underactiveMuscles", m)) },
      ],
    },
    options: { indexAxis: "y" },
  });

  const phases = $("top-exercises");
  phases.replaceChildren(
    ...totals.topExercises.map((phase) => {
      const column = document.createElement("div");
      const title = document.createElement("h3");
      title.textContent = phase.phase;
      const list = document.createElement("ol");
      phase.exercises.forEach((kc) => {
        const item = document.createElement("li");
        item.textContent = `${kc.key} (${kc.count})`;
        list.append(item);
      });
      column.append(title, list);
      return column;
    }),
  );

  $("clients").querySelector("tbody").replaceChildren(
    ...data.clients.clientTotals.map((t) => {
      const row = document.createElement("tr");
      [t.client.name, t.assessments, percent(t.referralRate), t.programs, t.checkIns, percent(t.adherence.rate)].forEach((value) => {
        const cell = document.createElement("td");
        cell.textContent = String(value);
        row.append(cell);
      });
      return row;
    }),
  );
  $("content").hidden = false;
  document.body.dataset.state = "loaded";
}

async function load(event) {
  event.preventDefault();
  const key = $("key").value.trim();
  sessionStorage.setItem("realign-key", key);
  $("content").hidden = true;
  document.body.dataset.state = "loading";
  say("Loading…");
  try {
    const { refusal } = await checkKey(key);
    if (refusal) {
      say(refusal, true);
      document.body.dataset.state = "refused";
      return;
    }
    const variables = { from: $("from").value, to: $("to").value, bucket: $("bucket").value };
    const { body } = await call("/graphql", key, { method: "POST", body: JSON.stringify({ query: STATS_QUERY, variables }) });
    if (body.errors && body.errors.length) {
      say(`The stats query failed: ${body.errors.map((e) => e.message).join("; ")}`, true);
      document.body.dataset.state = "error";
      return;
    }
    say("");
    render(body.data);
  } catch (error) {
    say(`Could not reach the service: ${error}`, true);
    document.body.dataset.state = "error";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  defaults();
  $("controls").addEventListener("submit", load);
});
