// The live page: polls /api/live once a second and redraws. Every text from the app (ids, event
// texts, labels, dead-letter messages) goes into the page through textContent, never as markup,
// so an event's text cannot inject markup or script.
"use strict";

const POLL_MS = 1000;
const COLORS = ["#2f6fdf", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#1098ad", "#e67700", "#5c940d"];
const charts = {};
let labelOrder = null;
// Model versions that took over in the window ({time_ms, model}), marked on every chart's time axis.
let modelSwaps = [];

function el(id) {
  return document.getElementById(id);
}

function setText(id, text) {
  el(id).textContent = text;
}

function number(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return v.toLocaleString(undefined, {maximumFractionDigits: digits, minimumFractionDigits: digits});
}

// Milliseconds to three significant figures, with the unit: "0.412 ms", "12.3 ms", "2.41 s".
function millis(v) {
  if (v === null || v === undefined) return "–";
  if (v >= 1000) return (v / 1000).toPrecision(3) + " s";
  return v.toPrecision(3) + " ms";
}

function clock(ms) {
  return new Date(ms).toLocaleTimeString(undefined, {hour12: false});
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  // Long texts are cut to one line by the style sheet; the tooltip has the whole preview (an attribute, not markup).
  if (className === "text") td.title = text;
  row.appendChild(td);
  return td;
}

// One uPlot chart per figure, created on the first data and resized with the window.
function chart(id, series, data) {
  const target = el(id);
  if (!charts[id]) {
    const opts = {
      width: Math.max(300, target.clientWidth),
      height: 200,
      legend: {live: false},
      // Times as 15:04:05 (uPlot's default adds a date row, whose labels run into each other at this width), and
      // room for "10,000" on the y axis, which uPlot's default width cuts.
      axes: [{values: (u, ticks) => ticks.map(t => clock(t * 1000))}, {size: 64}],
      cursor: {drag: {x: false, y: false}},
      scales: {y: {range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1]}},
      hooks: {draw: [markModelSwaps]},
      series: [{}].concat(series.map((s, i) => ({
        label: s, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false,
        value: (u, v) => v === null ? "–" : number(v, 2),
      }))),
    };
    charts[id] = new uPlot(opts, data, target);
  } else {
    charts[id].setData(data);
  }
}

// A dashed line at each model swap, with the version that took over.
function markModelSwaps(u) {
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = "#868e96";
  ctx.fillStyle = "#495057";
  ctx.setLineDash([4, 4]);
  ctx.font = "11px sans-serif";
  for (const swap of modelSwaps) {
    const x = Math.round(u.valToPos(swap.time_ms / 1000, "x", true));
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
    ctx.fillText(swap.model, x + 3, u.bbox.top + 11);
  }
  ctx.restore();
}

function drawCharts(d) {
  modelSwaps = d.model_swaps;
  const x = d.seconds;
  chart("chart-throughput", ["in", "out"], [x, d.in, d.out]);
  const e2e = d.latency_ms.end_to_end;
  chart("chart-e2e", ["p50", "p95", "p99"], [x, e2e.p50, e2e.p95, e2e.p99]);
  const inf = d.latency_ms.inference;
  chart("chart-inference", ["p50", "p95", "p99"], [x, inf.p50, inf.p95, inf.p99]);
  chart("chart-batch", ["mean", "max"], [x, d.batch.mean, d.batch.max]);
  chart("chart-labels", labelOrder, [x].concat(labelOrder.map(l => d.labels_per_second[l])));
  chart("chart-dead", ["dead letters"], [x, d.dead_letters]);
}

function drawTiles(d) {
  const s = d.summary;
  setText("rate-in", number(s.in_per_second, 1));
  setText("rate-out", number(s.out_per_second, 1));
  setText("e2e-p50", millis(s.end_to_end_ms.p50));
  setText("e2e-p95", millis(s.end_to_end_ms.p95));
  setText("e2e-p99", millis(s.end_to_end_ms.p99));
  setText("inf-p50", millis(s.inference_ms.p50));
  setText("inf-p95", millis(s.inference_ms.p95));
  setText("inf-p99", millis(s.inference_ms.p99));
  setText("batch-mean", number(s.batch_mean, 1));
  setText("rate-seconds", String(s.rate_seconds));
  setText("summary-seconds", String(s.summary_seconds));
  setText("window-minutes", String(d.window_seconds / 60));
  setText("threshold", String(d.low_confidence_threshold));
  const reasons = s.dead_letters_by_reason;
  setText("dead-total", number(Object.values(reasons).reduce((a, b) => a + b, 0), 0));
}

function drawLabelMix(d) {
  const counts = d.summary.labels;
  const total = labelOrder.reduce((a, l) => a + counts[l], 0);
  const body = el("label-mix").tBodies[0];
  body.replaceChildren();
  labelOrder.forEach((label, i) => {
    const row = body.insertRow();
    row.dataset.label = label;
    cell(row, label, "label");
    cell(row, number(counts[label], 0), "num count");
    const share = total === 0 ? 0 : counts[label] / total;
    cell(row, number(share * 100, 1) + " %", "num");
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.width = (share * 12) + "rem";
    bar.style.background = COLORS[i % COLORS.length];
    cell(row, "").appendChild(bar);
  });
}

// One row per item, each cell's text from its column's function; the "none" note shows when there are no items.
function fillTable(tableId, emptyId, items, columns) {
  const body = el(tableId).tBodies[0];
  body.replaceChildren();
  for (const item of items) {
    const row = body.insertRow();
    for (const [text, className] of columns) cell(row, text(item), className);
  }
  el(emptyId).hidden = items.length > 0;
}

// What a text cell says when the app keeps event texts off the page (live.show.texts=false, the default outside
// embedded mode).
const HIDDEN = "(hidden: live.show.texts=false)";

function drawDeadLetters(d) {
  fillTable("dead-reasons", "dead-reasons-empty", Object.entries(d.summary.dead_letters_by_reason), [
    [([reason]) => reason], [([, n]) => number(n, 0), "num"]]);
  fillTable("dead-recent", "dead-recent-empty", d.recent_dead_letters, [
    [e => clock(e.time_ms)], [e => e.reason, "reason"], [e => e.stage], [e => e.source, "source"],
    [e => e.message ?? HIDDEN, "text"]]);
}

function drawLowConfidence(d) {
  fillTable("low-confidence", "low-confidence-empty", d.low_confidence, [
    [e => clock(e.time_ms)], [e => e.id, "id"], [e => e.label, "label"], [e => number(e.score, 3), "num score"],
    [e => e.text ?? HIDDEN, "text"]]);
}

// The shadow model's agreement, and a confusion table: a row per serving label, a column per shadow label.
function drawShadow(d) {
  const s = d.shadow;
  el("shadow").hidden = !s;
  if (!s) return;
  setText("shadow-model", s.model);
  setText("shadow-compared", number(s.compared, 0));
  setText("shadow-skipped", number(s.skipped, 0));
  setText("shadow-agreement", s.compared === 0 ? "–" : number(100 * s.agreed / s.compared, 1) + " %");
  const columns = [...new Set(Object.values(s.confusion).flatMap(row => Object.keys(row)))].sort();
  const table = el("shadow-confusion");
  const head = table.tHead;
  head.replaceChildren();
  const top = head.insertRow();
  cell(top, "serving \\ shadow");
  for (const c of columns) cell(top, c, "num");
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const [primary, row] of Object.entries(s.confusion)) {
    const tr = body.insertRow();
    cell(tr, primary, "label");
    for (const c of columns) cell(tr, number(row[c] ?? 0, 0), c === primary ? "num agree" : "num");
  }
}

async function poll() {
  try {
    const response = await fetch("api/live", {cache: "no-store"});
    if (!response.ok) throw new Error("HTTP " + response.status);
    const d = await response.json();
    labelOrder = labelOrder || d.labels;
    if (d.model) setText("model", "model " + d.model);
    drawTiles(d);
    drawCharts(d);
    drawLabelMix(d);
    drawDeadLetters(d);
    drawLowConfidence(d);
    drawShadow(d);
    el("status").classList.remove("stale");
    setText("status", "updated " + clock(d.now_ms));
  } catch (e) {
    el("status").classList.add("stale");
    setText("status", "cannot reach the app (" + e.message + "); retrying");
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

window.addEventListener("resize", () => {
  for (const id in charts) {
    charts[id].setSize({width: Math.max(300, el(id).clientWidth), height: 200});
  }
});

poll();
