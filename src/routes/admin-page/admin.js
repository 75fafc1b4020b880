/* The admin page's browser script (page.html): plain JavaScript, no build step. It calls only the JSON
   admin API on this origin. Everything from the API goes through textContent (or an Option's text),
   never innerHTML; the token lives in this tab's sessionStorage only, a new client key in the DOM only. */
const TOKEN_KEY = 'models-edge.admin-token';
const NO_TOKEN_HINT = 'Paste an admin token above to load the status and the keys (npm run -s token prints one).';
const $ = (id) => document.getElementById(id);
/** The status last rendered, and when: the age keeps ticking from it. */
let shown = null;
let shownAt = 0;
let keysShown = false;
/** Calls in flight: every button waits while any runs, so no two actions cross. */
let busy = 0;

/** Not a failure: what to do next (no token yet). */
class Hint extends Error {}

/** An error answer of the admin API: `{"error":{"message","type","code"}}`. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(status + ': ' + message);
    this.status = status;
    this.code = code;
  }
}

async function call(method, path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = token ? { Authorization: 'Bearer ' + token } : {};
  const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (!res.ok) {
    if (res.status === 401 && !token) throw new Hint(NO_TOKEN_HINT);
    const error = data !== null && typeof data === 'object' && data.error !== null && typeof data.error === 'object' ? data.error : {};
    throw new ApiError(res.status, typeof error.code === 'string' ? error.code : null, typeof error.message === 'string' ? error.message : res.statusText);
  }
  return data;
}

/** Runs one action, showing its progress and then its outcome in `el`. */
async function run(el, progress, action) {
  setBusy(1);
  say(el, progress + '…', 'busy');
  try {
    say(el, await action(), 'ok');
  } catch (error) {
    say(el, error instanceof Error ? error.message : String(error), error instanceof Hint ? 'hint' : 'error');
  } finally {
    setBusy(-1);
  }
}

function setBusy(delta) {
  busy += delta;
  document.querySelectorAll('main button').forEach((b) => { b.disabled = busy > 0; });
}

function say(el, message, kind) {
  el.textContent = message;
  el.className = 'result ' + kind;
}

/** Asks before something that cannot be undone; resolves true only on the confirm button. */
function ask(question, confirmLabel) {
  const dialog = $('confirm');
  $('confirm-text').textContent = question;
  $('confirm-ok').textContent = confirmLabel;
  return new Promise((resolve) => {
    const finish = (answer) => {
      $('confirm-ok').removeEventListener('click', yes);
      $('confirm-cancel').removeEventListener('click', no);
      dialog.removeEventListener('close', no);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const yes = () => finish(true);
    const no = () => finish(false);
    $('confirm-ok').addEventListener('click', yes);
    $('confirm-cancel').addEventListener('click', no);
    dialog.addEventListener('close', no); // Escape
    dialog.showModal();
    $('confirm-cancel').focus();
  });
}

const when = (iso) => (typeof iso === 'string' ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '–');
const text = (value) => (value === null || value === undefined || value === '' ? '–' : String(value));
const message = (error) => (error instanceof Error ? error.message : String(error));

function duration(seconds) {
  if (typeof seconds !== 'number') return '–';
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

// ---- Status ----

function render(status) {
  shown = status;
  shownAt = Date.now();
  const state = ['fresh', 'stale', 'expired', 'empty'].includes(status.state) ? status.state : 'unknown';
  setState(state, state);
  $('fetched').textContent = when(status.fetchedAt);
  $('fresh-until').textContent = when(status.freshUntil);
  $('expires').textContent = when(status.expiresAt);
  $('model-count').textContent = text(status.modelCount);
  $('refreshed').textContent = when(status.refreshedAt);
  $('refresh-error').textContent = text(status.error);
  tickAge();
  renderStore(status.store);
  renderProviders(Array.isArray(status.providers) ? status.providers : []);
  renderClashes(Array.isArray(status.clashes) ? status.clashes : []);
  renderViews(status.views);
}

function setState(label, kind) {
  $('state').textContent = label;
  $('state').className = 'badge state-' + kind;
}

/** Before any status has loaded, say only that: no "None." or empty table that would read as data. */
function showNotLoaded(label) {
  if (shown !== null) return;
  setState(label, 'unknown');
  placeholderRow($('providers'), label === 'loading' ? 'Loading…' : 'Not loaded.');
  placeholderItem($('clashes'), label === 'loading' ? 'Loading…' : 'Not loaded.');
}

function placeholderRow(table, message) {
  const body = table.tBodies[0];
  body.replaceChildren();
  const td = body.insertRow().insertCell();
  td.colSpan = table.tHead.rows[0].cells.length;
  td.className = 'muted placeholder';
  td.textContent = message;
}

function placeholderItem(list, message) {
  const li = document.createElement('li');
  li.className = 'muted placeholder';
  li.textContent = message;
  list.replaceChildren(li);
}

function tickAge() {
  const age = shown && typeof shown.ageSeconds === 'number' ? shown.ageSeconds + (Date.now() - shownAt) / 1000 : null;
  $('age').textContent = duration(age);
}

/** `store` (absent on older workers): whether Workers KV is failing, and what serves meanwhile. */
function renderStore(store) {
  const el = $('store-warning');
  const failing = store !== null && typeof store === 'object' && store.ok === false;
  el.hidden = !failing;
  el.textContent = failing
    ? 'Workers KV is failing' + (typeof store.since === 'string' ? ' since ' + when(store.since) : '') + ': ' + text(store.error) +
      '; serving from memory / the edge copy / the upstreams.'
    : '';
}

function cell(row, label, value, className) {
  const td = row.insertCell();
  td.dataset.label = label;
  if (className) td.className = className;
  if (value instanceof Node) td.append(value); else td.textContent = text(value);
}

function renderProviders(providers) {
  if (providers.length === 0) {
    placeholderRow($('providers'), 'No provider status (the cache is empty or was purged).');
    return;
  }
  const body = $('providers').tBodies[0];
  body.replaceChildren();
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
  if (clashes.length === 0) {
    placeholderItem($('clashes'), 'None.');
    return;
  }
  const list = $('clashes');
  list.replaceChildren();
  for (const clash of clashes) {
    const li = document.createElement('li');
    li.textContent = text(clash.id) + ': kept from ' + text(clash.kept) + ', dropped from ' + text(clash.dropped);
    list.append(li);
  }
}

const loadStatus = () => run($('result'), 'Loading status', async () => {
  showNotLoaded('loading');
  try {
    render(await call('GET', '/admin/cache/status'));
  } catch (error) {
    showNotLoaded('not loaded');
    throw error;
  }
  return 'Status loaded.';
});

/**
 * The refresh API's 502 speaks of a kept list even when there was none: say what is cached now,
 * from the status the failed refresh recorded.
 */
async function refreshFailure() {
  const head = 'Refresh failed: no provider returned a model list. ';
  let status;
  try {
    status = await call('GET', '/admin/cache/status');
  } catch (error) {
    return head + 'The status could not be loaded to tell what is still served (' + message(error) + ').';
  }
  render(status);
  const why = " Each provider's error is in the table below.";
  if (status.state === 'fresh' || status.state === 'stale') {
    return head + 'The cached list (' + text(status.modelCount) + ' models) was kept and is still served.' + why;
  }
  if (status.state === 'expired') return head + 'The cached list has expired: nothing is served until a provider answers.' + why;
  return head + 'Nothing was cached, so nothing is served until a provider answers.' + why;
}

function purgeQuestion() {
  const providers = shown !== null && Array.isArray(shown.providers) ? shown.providers : [];
  const failing = providers.filter((p) => !p.ok).length;
  return 'Purge the cached list? It is deleted at once here and everywhere within about a minute; the next read fetches every provider again. ' +
    'If the upstreams are down then, nothing is left to serve until they answer.' +
    (failing > 0 ? ' ' + failing + ' of ' + providers.length + ' providers failed at the last refresh.' : '');
}

// ---- Client keys ----

function renderKeys(keys) {
  keysShown = true;
  if (keys.length === 0) {
    placeholderRow($('keys'), 'No client keys yet.');
    return;
  }
  const body = $('keys').tBodies[0];
  body.replaceChildren();
  for (const key of keys) {
    const row = body.insertRow();
    const expired = typeof key.expiresAt === 'string' && Date.parse(key.expiresAt) <= Date.now();
    cell(row, 'Name', key.name);
    cell(row, 'View', typeof key.view === 'string' ? key.view : 'full list');
    cell(row, 'Created', when(key.createdAt));
    cell(row, 'Created by', key.createdBy);
    cell(row, 'Expires', typeof key.expiresAt === 'string' ? when(key.expiresAt) + (expired ? ' (expired)' : '') : 'never');
    const revoke = document.createElement('button');
    revoke.type = 'button';
    revoke.className = 'danger';
    revoke.textContent = 'Revoke';
    revoke.setAttribute('aria-label', 'Revoke ' + text(key.name));
    revoke.disabled = busy > 0;
    revoke.addEventListener('click', () => void revokeKey(key));
    cell(row, 'Actions', revoke, 'actions');
  }
}

async function fetchKeys() {
  const body = await call('GET', '/admin/keys');
  const data = body !== null && typeof body === 'object' && Array.isArray(body.data) ? body.data : [];
  renderKeys(data.filter((key) => key !== null && typeof key === 'object'));
}

const loadKeys = () => run($('keys-result'), 'Loading keys', async () => {
  if (!keysShown) placeholderRow($('keys'), 'Loading…');
  try {
    await fetchKeys();
  } catch (error) {
    if (!keysShown) placeholderRow($('keys'), 'Not loaded.');
    if (error instanceof Hint) return ''; // the status line above already says what to do
    throw error;
  }
  return '';
});

/** `views` (absent on older workers): the configured view names, offered in a select; else free text. */
function renderViews(views) {
  const current = $('key-view');
  let field;
  if (Array.isArray(views)) {
    field = document.createElement('select');
    field.add(new Option('none: the full list', ''));
    for (const name of views) if (typeof name === 'string') field.add(new Option(name, name));
    field.value = views.includes(current.value) ? current.value : '';
  } else if (current.tagName === 'SELECT') {
    field = document.createElement('input');
    field.spellcheck = false;
    field.placeholder = 'empty: the full list';
    field.value = current.value;
  } else {
    return;
  }
  field.id = 'key-view';
  current.replaceWith(field);
}

function showNewKey(created) {
  $('new-key-name').textContent = text(created.name);
  $('new-key-value').value = typeof created.key === 'string' ? created.key : '';
  $('copy-result').textContent = '';
  $('new-key').hidden = false;
  $('new-key-value').focus();
  $('new-key-value').select();
}

function hideNewKey() {
  $('new-key-value').value = '';
  $('new-key').hidden = true;
}

async function revokeKey(key) {
  const question = 'Revoke the key "' + text(key.name) + '"? Clients using it are refused (401) from now on. This cannot be undone.';
  if (!(await ask(question, 'Yes, revoke'))) return;
  await run($('keys-result'), 'Revoking ' + text(key.name), async () => {
    await call('DELETE', '/admin/keys/' + encodeURIComponent(String(key.id)));
    await fetchKeys();
    return 'Revoked key ' + text(key.name) + '.';
  });
}

// ---- Wiring ----

const loadAll = () => {
  void loadStatus();
  void loadKeys();
};

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  $('token').placeholder = token ? 'token saved for this tab' : $('token').placeholder;
  loadAll();
});

$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  hideNewKey();
  $('token').placeholder = 'paste the output of: npm run -s token';
  say($('result'), 'Token forgotten.', 'ok');
});

$('refresh').addEventListener('click', () => run($('result'), 'Refreshing every provider', async () => {
  let status;
  try {
    status = await call('POST', '/admin/cache/refresh');
  } catch (error) {
    if (error instanceof ApiError && error.code === 'upstreams_unavailable') throw new Error(await refreshFailure());
    throw error;
  }
  render(status);
  return 'Refreshed: ' + text(status.modelCount) + ' models.';
}));

$('purge').addEventListener('click', async () => {
  if (!(await ask(purgeQuestion(), 'Yes, purge'))) {
    say($('result'), 'Purge cancelled: nothing was deleted.', 'hint');
    return;
  }
  await run($('result'), 'Purging', async () => {
    await call('POST', '/admin/cache/purge');
    render(await call('GET', '/admin/cache/status'));
    return 'Purged: the next read fetches every provider again.';
  });
});

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const body = { name: $('key-name').value.trim() };
  const view = $('key-view').value.trim();
  if (view) body.view = view;
  const expires = $('key-expires').value;
  if (expires) {
    // datetime-local has no zone: `new Date` reads it as the browser's local time.
    const at = new Date(expires);
    if (Number.isNaN(at.getTime())) {
      say($('keys-result'), 'Expires: not a date and time.', 'error');
      return;
    }
    body.expiresAt = at.toISOString();
  }
  void run($('keys-result'), 'Creating key ' + body.name, async () => {
    const created = await call('POST', '/admin/keys', body);
    showNewKey(created);
    $('key-form').reset();
    await fetchKeys();
    return 'Created key ' + text(created.name) + '.';
  });
});

$('copy-key').addEventListener('click', async () => {
  const field = $('new-key-value');
  try {
    await navigator.clipboard.writeText(field.value);
    $('copy-result').textContent = 'Copied to the clipboard.';
  } catch {
    // No clipboard access (an insecure origin, a denied permission): leave the key selected to copy by hand.
    field.focus();
    field.select();
    $('copy-result').textContent = 'The browser did not allow copying: the key is selected, copy it with Ctrl+C (⌘C, or long-press on a phone).';
  }
});

$('done-key').addEventListener('click', hideNewKey);

if (sessionStorage.getItem(TOKEN_KEY)) $('token').placeholder = 'token saved for this tab';
setInterval(tickAge, 1000);
loadAll();
