/**
 * The rollout page served at `/ui/`: one HTML document with its style and
 * script inline (no build step, no framework). In the browser it reads the
 * timeline API (`/apis/logbook.io/v1/namespaces/{ns}/timeline`) of the
 * object named in the query (`?namespace=default&kind=Deployment&name=web`)
 * and draws:
 *
 * - a chart, as inline SVG, of each ReplicaSet's desired (dashed) and ready
 *   (solid) replicas over time, one colour per ReplicaSet;
 * - the events beneath, with actor, verb, cause and the change;
 * - a slider over the events: the state of every object at that point, a
 *   cursor on the chart and the event highlighted.
 */
export const UI_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Logbook — rollout timeline</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 .5em; }
  form { margin-bottom: 1em; }
  form input { width: 10em; }
  #status { color: #a00; }
  #chart svg { border: 1px solid #ccc; background: #fcfcfc; }
  #legend span { display: inline-block; margin-right: 1.5em; }
  #legend i { display: inline-block; width: 1.5em; height: .4em; vertical-align: middle; margin-right: .3em; }
  #scrub { margin: 1em 0; }
  #slider { width: 100%; }
  #state { font-family: ui-monospace, monospace; font-size: 12px; margin: .3em 0 1em; padding-left: 1.2em; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; }
  th, td { text-align: left; padding: .25em .5em; border-bottom: 1px solid #eee; vertical-align: top; }
  tr.current { background: #fff3c4; }
  tr.future { color: #aaa; }
  td.change { font-family: ui-monospace, monospace; white-space: pre-wrap; }
</style>
</head>
<body>
<h1>Rollout timeline</h1>
<form id="pick">
  <label>Namespace <input name="namespace" value="default"></label>
  <label>Kind <input name="kind" value="Deployment"></label>
  <label>Name <input name="name" required></label>
  <button>Show</button>
</form>
<div id="status"></div>
<h2 id="title"></h2>
<div id="chart"></div>
<div id="legend"></div>
<div id="scrub">
  <input id="slider" type="range" min="0" max="0" value="0" disabled>
  <div id="at"></div>
  <ul id="state"></ul>
</div>
<table id="events">
  <thead><tr><th>Time</th><th>RV</th><th>Object</th><th>Event</th><th>Actor</th><th>Verb</th><th>Cause</th><th>Change</th></tr></thead>
  <tbody></tbody>
</table>
<script>
"use strict";
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const W = 900, H = 300, PAD = { left: 40, right: 20, top: 15, bottom: 30 };
const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, text) => {
  const svg = ['svg', 'polyline', 'line', 'text', 'g', 'rect'].includes(tag);
  const e = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
};

async function timeline(ns, kind, name) {
  const base = '/apis/logbook.io/v1/namespaces/' + encodeURIComponent(ns) + '/timeline?' + new URLSearchParams({ kind, name });
  let all, cont = '';
  do {
    const res = await fetch(cont ? base + '&continue=' + encodeURIComponent(cont) : base, { headers: { Accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.message || res.statusText);
    if (!all) all = body; else all.items.push(...body.items);
    cont = body.metadata.continue || '';
  } while (cont);
  return all;
}

/** Each ReplicaSet's desired and ready replicas after every event of the timeline (a step series). */
function seriesOf(items) {
  const sets = new Map();
  items.forEach((e, i) => {
    if (e.kind !== 'ReplicaSet') return;
    let s = sets.get(e.name);
    if (!s) sets.set(e.name, (s = { name: e.name, image: '', points: [] }));
    const f = e.state.fields || {};
    const gone = e.type === 'DELETED';
    s.points.push({ i, t: Date.parse(e.time), desired: gone ? 0 : Number(f.replicas || 0), ready: gone ? 0 : Number(f.readyReplicas || 0) });
    const img = /image ([^,]+)/.exec(e.state.text);
    if (img) s.image = img[1];
  });
  return [...sets.values()];
}

function draw(items, series) {
  const t0 = Date.parse(items[0].time), t1 = Math.max(Date.parse(items[items.length - 1].time), t0 + 1);
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => Math.max(p.desired, p.ready))));
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'desired and ready replicas per ReplicaSet over time' });
  for (let v = 0; v <= max; v++) {
    svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), stroke: '#eee' }));
    svg.append(el('text', { x: PAD.left - 8, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11 }, String(v)));
  }
  svg.append(el('text', { x: PAD.left, y: H - 8, 'font-size': 11 }, new Date(t0).toISOString().slice(11, 19)));
  svg.append(el('text', { x: W - PAD.right, y: H - 8, 'font-size': 11, 'text-anchor': 'end' }, new Date(t1).toISOString().slice(11, 19)));
  const step = (pts, key) => {
    const out = [];
    pts.forEach((p, k) => {
      if (k > 0) out.push(x(p.t) + ',' + y(pts[k - 1][key]));
      out.push(x(p.t) + ',' + y(p[key]));
    });
    out.push(x(t1) + ',' + y(pts[pts.length - 1][key]));
    return out.join(' ');
  };
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const g = el('g', { class: 'series', 'data-rs': s.name });
    g.append(el('polyline', { class: 'desired', points: step(s.points, 'desired'), fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': '6 4' }));
    g.append(el('polyline', { class: 'ready', points: step(s.points, 'ready'), fill: 'none', stroke: color, 'stroke-width': 3 }));
    svg.append(g);
    const item = el('span', { 'data-rs': s.name });
    item.append(el('i', { style: 'background:' + color }));
    item.append(document.createTextNode(s.name + (s.image ? ' (' + s.image + ')' : '') + ' — dashed: desired, solid: ready'));
    $('legend').append(item);
  });
  const cursor = el('line', { id: 'cursor', y1: PAD.top, y2: H - PAD.bottom, stroke: '#444', 'stroke-width': 1 });
  svg.append(cursor);
  $('chart').append(svg);
  return (i) => {
    const cx = x(Date.parse(items[i].time));
    cursor.setAttribute('x1', cx);
    cursor.setAttribute('x2', cx);
  };
}

function eventsTable(items) {
  const body = $('events').tBodies[0];
  items.forEach((e) => {
    const tr = el('tr', { 'data-rv': e.resourceVersion });
    const object = '\\u00a0'.repeat(2 * e.depth) + e.kind + '/' + e.name;
    const cells = [e.time.replace('T', ' ').replace(/\\.\\d+Z$/, 'Z'), e.resourceVersion, object, e.type, e.actor, e.subresource ? e.verb + '/' + e.subresource : e.verb, e.causeSeq === undefined ? '' : '← ' + e.causeSeq, e.type === 'ADDED' ? 'created' : (e.change || []).join('\\n')];
    cells.forEach((c, k) => tr.append(el('td', k === 7 ? { class: 'change' } : {}, c)));
    body.append(tr);
  });
  return body.rows;
}

/** The state of every object just after event i. */
function stateAt(items, i) {
  const latest = new Map();
  for (let k = 0; k <= i; k++) latest.set(items[k].uid, items[k]);
  return [...latest.values()].sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
}

async function show(ns, kind, name) {
  $('status').textContent = '';
  try {
    const tl = await timeline(ns, kind, name);
    const items = tl.items;
    $('title').textContent = kind + ' ' + ns + '/' + name + ': ' + items.length + ' events, ' + tl.objects.length + ' objects';
    if (!items.length) return;
    const series = seriesOf(items);
    const moveCursor = draw(items, series);
    const rows = eventsTable(items);
    const slider = $('slider');
    slider.max = String(items.length - 1);
    slider.disabled = false;
    const at = (i) => {
      const e = items[i];
      $('at').textContent = 'State at resourceVersion ' + e.resourceVersion + ' (' + e.time + '), after ' + e.type + ' ' + e.kind + '/' + e.name + ' by ' + e.actor;
      const list = $('state');
      list.replaceChildren(...stateAt(items, i).map((s) => el('li', { 'data-kind': s.kind, 'data-name': s.name }, s.kind + '/' + s.name + ': ' + (s.type === 'DELETED' ? 'deleted' : s.state.text))));
      [...rows].forEach((r, k) => (r.className = k === i ? 'current' : k > i ? 'future' : ''));
      moveCursor(i);
    };
    slider.addEventListener('input', () => at(Number(slider.value)));
    slider.value = String(items.length - 1);
    at(items.length - 1);
    document.body.dataset.ready = 'true';
  } catch (err) {
    $('status').textContent = String(err.message || err);
    document.body.dataset.ready = 'error';
  }
}

const params = new URLSearchParams(location.search);
const form = $('pick');
for (const k of ['namespace', 'kind', 'name']) if (params.get(k)) form.elements[k].value = params.get(k);
if (params.get('name')) show(form.elements.namespace.value, form.elements.kind.value, params.get('name'));
</script>
</body>
</html>
`;
