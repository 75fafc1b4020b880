/* The admin page's browser script, part 4 of 5: client keys (docs/behaviour.md, "Client keys and views"): list, create with the key
   shown once, copy, revoke. */

let keysShown = false;

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
    cell(row, 'Usage', usageText(key.usage));
    cell(row, 'Last used', typeof key.lastUsedAt === 'string' ? when(key.lastUsedAt) : key.usage ? 'not in 30 days' : null);
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

/** `usage` (absent on older workers): the last 24 h and 30 days, calls, errors and tokens in → out. */
function usageText(usage) {
  if (usage === null || typeof usage !== 'object') return null;
  const one = (label, t) => t && typeof t.requests === 'number'
    ? label + ': ' + t.requests.toLocaleString('en') + (t.requests === 1 ? ' call' : ' calls') +
      (t.errors > 0 ? ' (' + t.errors.toLocaleString('en') + (t.errors === 1 ? ' error' : ' errors') + ')' : '') +
      ', ' + Number(t.inputTokens).toLocaleString('en') + ' → ' + Number(t.outputTokens).toLocaleString('en') + ' tokens'
    : label + ': –';
  return one('24 h', usage['24h']) + '\n' + one('30 d', usage['30d']);
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
