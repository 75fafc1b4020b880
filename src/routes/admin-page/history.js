/* The admin page's browser script, part 3 of 5: the last 24 h of each provider's refreshes as a small
   inline SVG drawn here with DOM APIs (no library; the page's CSP allows nothing else), the recent
   changes of the list and the webhooks' state. Data: the status's `history` ([{provider, refreshes:
   [{at, ok, latencyMs, modelCount}]}]), `recentChanges` (the change feed's entries, newest first) and
   `webhooks` ([{origin, view, state, pending, lastDeliveredAt, lastStatus, lastError, givenUp}]). */
const SVG_NS = 'http://www.w3.org/2000/svg';
const DAY_MS = 24 * 3600 * 1000;
/** The chart's drawing box, in SVG user units: it scales to its container's width. */
const CHART = { width: 600, height: 80, top: 6, bottom: 2, left: 4, right: 4 };

function svg(name, attributes, parent) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  if (parent) parent.append(el);
  return el;
}

/** One figure per provider; `now` (ms) ends the 24 h window. */
function renderHistory(history, now) {
  const box = $('history');
  const providers = Array.isArray(history) ? history.filter((h) => h && typeof h.provider === 'string' && Array.isArray(h.refreshes)) : [];
  if (providers.length === 0) {
    box.replaceChildren(muted('No refreshes recorded in the last 24 h.'));
    return;
  }
  box.replaceChildren(...providers.map((h) => historyFigure(h.provider, h.refreshes, now)));
}

function muted(message) {
  const p = document.createElement('p');
  p.className = 'muted placeholder';
  p.textContent = message;
  return p;
}

/** A chart of one provider's refreshes: a bar per refresh (height = latency, colour = ok or failed), the model count as a line. */
function historyFigure(provider, all, now) {
  const refreshes = all
    .map((r) => ({ at: Date.parse(r.at), ok: r.ok === true, latencyMs: typeof r.latencyMs === 'number' ? r.latencyMs : null, modelCount: typeof r.modelCount === 'number' ? r.modelCount : null }))
    .filter((r) => !Number.isNaN(r.at) && r.at > now - DAY_MS && r.at <= now)
    .sort((a, b) => a.at - b.at);
  const figure = document.createElement('figure');
  figure.className = 'history';
  const caption = document.createElement('figcaption');
  caption.textContent = provider;
  figure.append(caption);
  const id = 'history-' + provider.replace(/[^A-Za-z0-9_-]/g, '_');
  const chart = svg('svg', { viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', 'aria-labelledby': id + '-desc', preserveAspectRatio: 'none', class: 'chart' }, figure);
  chart.dataset.provider = provider;
  const desc = svg('desc', { id: id + '-desc' }, chart);
  desc.textContent = summary(provider, refreshes);
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const x = (at) => CHART.left + ((at - (now - DAY_MS)) / DAY_MS) * plotWidth;
  const maxLatency = Math.max(1, ...refreshes.map((r) => r.latencyMs ?? 0));
  svg('line', { x1: CHART.left, x2: CHART.width - CHART.right, y1: CHART.top + plotHeight, y2: CHART.top + plotHeight, class: 'axis' }, chart);
  for (const r of refreshes) {
    // A failed refresh without a latency still shows, as a full-height bar.
    const h = r.latencyMs === null ? plotHeight : Math.max(2, (r.latencyMs / maxLatency) * plotHeight);
    const bar = svg('rect', { x: (x(r.at) - 1.5).toFixed(1), y: (CHART.top + plotHeight - h).toFixed(1), width: 3, height: h.toFixed(1), class: r.ok ? 'refresh ok' : 'refresh failed' }, chart);
    const tip = svg('title', {}, bar);
    tip.textContent = when(new Date(r.at).toISOString()) + ': ' + (r.ok ? 'ok' : 'failed') + (r.latencyMs === null ? '' : ', ' + r.latencyMs + ' ms') + (r.modelCount === null ? '' : ', ' + r.modelCount + ' models');
  }
  const counted = refreshes.filter((r) => r.modelCount !== null);
  if (counted.length > 0) {
    const maxCount = Math.max(1, ...counted.map((r) => r.modelCount));
    const y = (n) => (CHART.top + plotHeight - (n / maxCount) * plotHeight).toFixed(1);
    const points = counted.flatMap((r, i) => (i === 0 ? [] : [`${x(r.at).toFixed(1)},${y(counted[i - 1].modelCount)}`]).concat(`${x(r.at).toFixed(1)},${y(r.modelCount)}`));
    svg('polyline', { points: points.join(' '), class: 'models' }, chart);
  }
  // The time axis in HTML, not SVG text, so it stays legible when the chart is stretched to the width.
  const ticks = document.createElement('div');
  ticks.className = 'ticks muted small';
  ticks.setAttribute('aria-hidden', 'true');
  for (const label of ['24 h ago', 'now']) {
    const tick = document.createElement('span');
    tick.textContent = label;
    ticks.append(tick);
  }
  figure.append(ticks);
  const legend = document.createElement('p');
  legend.className = 'muted small';
  legend.textContent = summary(provider, refreshes);
  figure.append(legend);
  return figure;
}

/** What the chart shows, in words: for screen readers and for anyone reading the numbers. */
function summary(provider, refreshes) {
  if (refreshes.length === 0) return provider + ': no refresh in the last 24 h.';
  const failed = refreshes.filter((r) => !r.ok).length;
  const latencies = refreshes.map((r) => r.latencyMs).filter((ms) => ms !== null);
  const last = refreshes[refreshes.length - 1];
  return provider + ': ' + refreshes.length + ' refreshes in the last 24 h, ' + (refreshes.length - failed) + ' ok, ' + failed + ' failed' +
    (latencies.length > 0 ? '; latency ' + Math.min(...latencies) + '–' + Math.max(...latencies) + ' ms' : '') +
    (last.modelCount === null ? '' : '; ' + last.modelCount + ' models at the last refresh') + '.';
}

/** The recent changes of the list, newest first. */
function renderChanges(changes) {
  const list = $('changes');
  const items = Array.isArray(changes) ? changes.filter((c) => c && typeof c.model === 'string') : [];
  if (items.length === 0) {
    placeholderItem(list, 'No change recorded in the last 30 days.');
    return;
  }
  list.replaceChildren(...items.map((c) =>
    badgeItem('change', ['added', 'removed', 'changed'], c.type, ' ' + c.model + ' (' + text(c.provider) + ')' + fieldsText(c.fields) + ' ', when(c.at))));
}

/** Each webhook (by origin and view only) and how its deliveries go. */
function renderWebhooks(hooks) {
  const list = $('webhooks');
  const items = Array.isArray(hooks) ? hooks.filter((h) => h && typeof h.origin === 'string') : [];
  if (items.length === 0) {
    placeholderItem(list, 'None configured (WEBHOOKS).');
    return;
  }
  list.replaceChildren(...items.map((h) =>
    badgeItem('hook', ['idle', 'retrying', 'off'], h.state, ' ' + h.origin + (typeof h.view === 'string' ? ' (view ' + h.view + ')' : '') +
      ': last delivered ' + when(h.lastDeliveredAt) + (h.pending > 0 ? ', ' + h.pending + ' pending' : '') +
      (h.givenUp > 0 ? ', ' + h.givenUp + ' given up' : '') + (h.lastError ? ' — ' + h.lastError : ''))));
}

/** A list item: a badge for `state` (styled `<kind>-<state>` when it is one of `known`), the text, and a muted time if given. */
function badgeItem(kind, known, state, what, at) {
  const li = document.createElement('li');
  const badge = document.createElement('span');
  badge.className = 'badge ' + kind + '-' + (known.includes(state) ? state : 'other');
  badge.textContent = text(state);
  const body = document.createElement('span');
  body.textContent = what;
  li.append(badge, body);
  if (at !== undefined) {
    const time = document.createElement('span');
    time.className = 'muted small';
    time.textContent = at;
    li.append(time);
  }
  return li;
}

function fieldsText(fields) {
  if (fields === null || typeof fields !== 'object') return '';
  const parts = Object.entries(fields).map(([name, change]) =>
    name + ' ' + text(change && change.from) + ' → ' + text(change && change.to));
  return parts.length > 0 ? ': ' + parts.join(', ') : '';
}
