/* The admin page's browser script, part 2 of 5: the cache status (state, providers, clashes, aliases, the
   Workers KV and coordinator warnings), Refresh and Purge. */

/** The status last rendered, and when: the age keeps ticking from it. */
let shown = null;
let shownAt = 0;

function render(status) {
  shown = status;
  shownAt = Date.now();
  // `unavailable`: Workers KV fails and this isolate holds no list, so whether one is stored is unknown.
  const state = ['fresh', 'stale', 'expired', 'empty', 'unavailable'].includes(status.state) ? status.state : 'unknown';
  setState(state, state);
  $('fetched').textContent = when(status.fetchedAt);
  $('fresh-until').textContent = when(status.freshUntil);
  $('expires').textContent = when(status.expiresAt);
  $('model-count').textContent = text(status.modelCount);
  $('refreshed').textContent = when(status.refreshedAt);
  $('refresh-error').textContent = text(status.error);
  tickAge();
  renderStore(status.store);
  renderCoordinator(status.coordinator);
  renderConfigError(status.configError);
  renderProviders(Array.isArray(status.providers) ? status.providers : []);
  renderClashes(Array.isArray(status.clashes) ? status.clashes : []);
  // `aliases` (absent on older workers): each ALIASES entry, and why this list does not serve it.
  renderAliases(Array.isArray(status.aliases) ? status.aliases : []);
  renderViews(status.views);
  // `history` and `recentChanges` (absent on older workers): the last 24 h of refreshes, the list's recent changes.
  renderHistory(status.history, Date.now());
  renderChanges(status.recentChanges);
  renderWebhooks(status.webhooks);
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
  placeholderItem($('aliases'), label === 'loading' ? 'Loading…' : 'Not loaded.');
  $('history').replaceChildren(muted(label === 'loading' ? 'Loading…' : 'Not loaded.'));
  placeholderItem($('changes'), label === 'loading' ? 'Loading…' : 'Not loaded.');
  placeholderItem($('webhooks'), label === 'loading' ? 'Loading…' : 'Not loaded.');
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

/** `coordinator` (absent on older workers): not answering, or KV refusing its copy of the client keys. */
function renderCoordinator(coordinator) {
  const el = $('coordinator-warning');
  const known = coordinator !== null && typeof coordinator === 'object';
  const message = !known
    ? ''
    : coordinator.ok === false
      ? 'The coordinator is not answering: ' + text(coordinator.error) + ' — each isolate refreshes on its own, and key changes are refused until it is back.'
      : typeof coordinator.keyMirrorError === 'string'
        ? 'Client keys: ' + text(coordinator.keyMirrorError) + ' — the change is kept and written again within seconds.'
        : '';
  el.hidden = message === '';
  el.textContent = message;
}

/** `configError` (absent on older workers): the stored list is served as is until the configuration is fixed. */
function renderConfigError(error) {
  const el = $('config-warning');
  const broken = error !== null && typeof error === 'object';
  el.hidden = !broken;
  el.textContent = broken
    ? 'Configuration error: ' + text(error.message) + ' — the stored list is still served as it is, unrefreshed, until this is fixed.'
    : '';
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

function renderAliases(aliases) {
  if (aliases.length === 0) {
    placeholderItem($('aliases'), 'None.');
    return;
  }
  const list = $('aliases');
  list.replaceChildren();
  for (const alias of aliases) {
    const li = document.createElement('li');
    li.textContent = text(alias.alias) + ' → ' + text(alias.target) + (alias.error ? ': ' + text(alias.error) : '');
    if (alias.error) li.className = 'error';
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
  if (status.state === 'unavailable') {
    return head + 'Workers KV cannot be read and this worker holds no list: nothing is served until a provider answers or KV is back.' + why;
  }
  return head + 'Nothing was cached, so nothing is served until a provider answers.' + why;
}

function purgeQuestion() {
  const providers = shown !== null && Array.isArray(shown.providers) ? shown.providers : [];
  const failing = providers.filter((p) => !p.ok).length;
  return 'Purge the cached list? It is deleted at once here and everywhere within about a minute; the next read fetches every provider again. ' +
    'If the upstreams are down then, nothing is left to serve until they answer.' +
    (failing > 0 ? ' ' + failing + ' of ' + providers.length + ' providers failed at the last refresh.' : '');
}
