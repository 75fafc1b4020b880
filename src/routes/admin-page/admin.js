const TOKEN_KEY = 'models-edge.admin-token';
const $ = (id) => document.getElementById(id);
const buttons = () => document.querySelectorAll('button');
let shown = null;
let shownAt = 0;
/** Not a failure: what to do next (no token yet). */
class Hint extends Error {}

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: 'Bearer ' + token } : {};
}

async function call(method, path) {
  const res = await fetch(path, { method, headers: authHeaders(), cache: 'no-store', credentials: 'same-origin' });
  let body = null;
  try { body = await res.json(); } catch { body = null; }
  if (!res.ok) {
    const message = body && body.error && typeof body.error.message === 'string' ? body.error.message : res.statusText;
    if (res.status === 401 && !sessionStorage.getItem(TOKEN_KEY)) throw new Hint('Paste an admin token above to load the status (npm run -s token prints one).');
    throw new Error(res.status + ': ' + message);
  }
  return body;
}

async function run(progress, action) {
  buttons().forEach((b) => { b.disabled = true; });
  say(progress + '…', 'busy');
  try {
    say(await action(), 'ok');
  } catch (error) {
    say(error instanceof Error ? error.message : String(error), error instanceof Hint ? 'hint' : 'error');
  } finally {
    buttons().forEach((b) => { b.disabled = false; });
  }
}

function say(text, kind) {
  const el = $('result');
  el.textContent = text;
  el.className = 'result ' + kind;
}

const when = (iso) => (typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '–');
const text = (value) => (value === null || value === undefined || value === '' ? '–' : String(value));

function duration(seconds) {
  if (typeof seconds !== 'number') return '–';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

function render(status) {
  shown = status;
  shownAt = Date.now();
  const state = ['fresh', 'stale', 'expired', 'empty'].includes(status.state) ? status.state : 'unknown';
  $('state').textContent = state;
  $('state').className = 'badge state-' + state;
  $('fetched').textContent = when(status.fetchedAt);
  $('fresh-until').textContent = when(status.freshUntil);
  $('expires').textContent = when(status.expiresAt);
  $('model-count').textContent = text(status.modelCount);
  $('refreshed').textContent = when(status.refreshedAt);
  $('refresh-error').textContent = text(status.error);
  tickAge();
  renderProviders(Array.isArray(status.providers) ? status.providers : []);
  renderClashes(Array.isArray(status.clashes) ? status.clashes : []);
}

function tickAge() {
  const age = shown && typeof shown.ageSeconds === 'number' ? shown.ageSeconds + (Date.now() - shownAt) / 1000 : null;
  $('age').textContent = duration(age);
}

function cell(row, label, value, className) {
  const td = row.insertCell();
  td.dataset.label = label;
  if (className) td.className = className;
  if (value instanceof Node) td.append(value); else td.textContent = text(value);
}

function renderProviders(providers) {
  const body = $('providers').tBodies[0];
  body.replaceChildren();
  if (providers.length === 0) {
    const row = body.insertRow();
    const td = row.insertCell();
    td.colSpan = 6;
    td.className = 'muted';
    td.textContent = 'No provider status (the cache is empty or was purged).';
    return;
  }
  for (const p of providers) {
    const row = body.insertRow();
    const health = p.ok ? 'ok' : p.stale ? 'stale' : 'failing';
    const badge = document.createElement('span');
    badge.className = 'badge health-' + health;
    badge.textContent = health;
    cell(row, 'Provider', p.id);
    cell(row, 'Health', badge);
    cell(row, 'Models', p.modelCount);
    cell(row, 'Latency', typeof p.latencyMs === 'number' ? p.latencyMs + ' ms' : null);
    cell(row, 'Fetched', when(p.fetchedAt));
    cell(row, 'Last error', p.error, p.error ? 'error' : '');
  }
}

function renderClashes(clashes) {
  const list = $('clashes');
  list.replaceChildren();
  if (clashes.length === 0) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = 'None.';
    list.append(li);
  }
  for (const clash of clashes) {
    const li = document.createElement('li');
    li.textContent = text(clash.id) + ': kept from ' + text(clash.kept) + ', dropped from ' + text(clash.dropped);
    list.append(li);
  }
}

const loadStatus = () => run('Loading status', async () => {
  const status = await call('GET', '/admin/cache/status');
  render(status);
  return 'Status loaded.';
});

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  $('token').placeholder = token ? 'token saved for this tab' : $('token').placeholder;
  void loadStatus();
});

$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  $('token').placeholder = 'paste the output of: npm run -s token';
  say('Token forgotten.', 'ok');
});

$('refresh').addEventListener('click', () => run('Refreshing every provider', async () => {
  const status = await call('POST', '/admin/cache/refresh');
  render(status);
  return 'Refreshed: ' + text(status.modelCount) + ' models.';
}));

$('purge').addEventListener('click', () => run('Purging', async () => {
  await call('POST', '/admin/cache/purge');
  render(await call('GET', '/admin/cache/status'));
  return 'Purged: the next read fetches every provider again.';
}));

if (sessionStorage.getItem(TOKEN_KEY)) $('token').placeholder = 'token saved for this tab';
setInterval(tickAge, 1000);
void loadStatus();
