/* The admin page's browser script, part 5 of 5: the buttons and forms, and the first load. */

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
