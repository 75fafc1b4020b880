/* The admin page's browser script, part 1 of 5 (core.js, status.js, history.js, keys.js, main.js: one <script> in
   page.html, in that order). Plain JavaScript, no build step. It calls only the JSON admin API on this
   origin. Everything from the API goes through textContent (or an Option's text), never innerHTML; the
   token lives in this tab's sessionStorage only, a new client key in the DOM only.
   Here: the API call, progress and outcome lines, the confirmation dialog, formatting. */
const TOKEN_KEY = 'models-edge.admin-token';
const NO_TOKEN_HINT = 'Paste an admin token above to load the status and the keys (npm run -s token prints one).';
const $ = (id) => document.getElementById(id);
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

/** A table's or list's one muted line ("Loading…", "Not loaded.", "None."): never one that reads as data. */
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

/** One table cell; `label` heads it when the table turns into cards on a phone. */
function cell(row, label, value, className) {
  const td = row.insertCell();
  td.dataset.label = label;
  if (className) td.className = className;
  if (value instanceof Node) td.append(value); else td.textContent = text(value);
}
