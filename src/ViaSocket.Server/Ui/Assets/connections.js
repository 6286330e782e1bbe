'use strict';

(() => {
  const { api, el, problemText, showMessage, relative, confirmAction } = ui;
  let message;

  /** Loads the first page, or appends the page after the cursor. */
  async function load(after) {
    const pending = document.getElementById('include-pending').checked ? '&include=pending' : '';
    const response = await api('GET', '/v1/connections?limit=100' + pending + (after ? '&after=' + encodeURIComponent(after) : ''));
    const body = document.querySelector('#connections tbody');
    if (!after) body.replaceChildren();
    if (!response.ok) {
      showMessage(message, 'Could not list connections: ' + problemText(response), true);
      return;
    }
    for (const item of response.body.items) body.append(row(item));
    document.getElementById('empty').classList.toggle('hidden', body.children.length > 0);
    const more = document.getElementById('more');
    more.classList.toggle('hidden', !response.body.next);
    more.dataset.after = response.body.next || '';
    tick();
  }

  function row(item) {
    const revoked = item.status === 'revoked';
    const actions = el('td', { class: 'actions' },
      el('button', { type: 'button', class: 'secondary', text: 'Scopes', onclick: () => showScopes(item).catch(error => showMessage(message, error.message, true)) }),
      el('button', { type: 'button', class: 'secondary', text: 'Test', disabled: revoked, onclick: () => act(item, 'test') }),
      el('button', { type: 'button', class: 'secondary', text: 'Refresh', disabled: revoked, onclick: () => act(item, 'refresh') }),
      revoked
        ? el('button', { type: 'button', text: 'Remove', title: 'Remove this revoked connection from the list', onclick: () => act(item, 'archive') })
        : el('button', { type: 'button', class: 'danger', text: 'Disconnect', onclick: () => act(item, 'disconnect') }));
    return el('tr', { 'data-connection-id': item.connectionId, 'data-status': item.status },
      el('td', {}, el('div', { text: item.label || '(no label)' }), el('div', { class: 'hint', text: item.connectionId })),
      el('td', { text: `${item.pluginId} / ${item.versionId}` }),
      el('td', { text: item.ownerId }),
      el('td', {}, el('span', { class: 'status status-' + item.status, text: item.status.replace('_', ' ') })),
      el('td', { class: 'countdown', 'data-at': item.expiresAt || '', title: item.expiresAt || '' }),
      el('td', { class: 'since', 'data-at': item.lastRefreshedAt || '', title: item.lastRefreshedAt || '' }),
      el('td', { class: 'last-error', text: item.lastErrorCode || '—' }),
      actions);
  }

  /** What the provider granted the connection, from its view (the list rows do not carry it). */
  async function showScopes(item) {
    const response = await api('GET', `/v1/connections/${encodeURIComponent(item.connectionId)}`);
    if (!response.ok) {
      showMessage(message, 'Could not read the connection: ' + problemText(response), true);
      return;
    }
    const granted = response.body.grantedScopes;
    const name = item.label || item.connectionId;
    showMessage(message, granted ? `Granted scopes of ${name}: ${granted.length ? granted.join(', ') : '(none)'}` : `${name} has no granted scopes yet.`, false);
  }

  async function act(item, action) {
    if (action === 'disconnect' && !(await confirmAction(
      `Disconnect ${item.label || item.connectionId}?`,
      'The provider is asked to revoke the grant and the stored tokens are deleted. Engines lose access at once; the account has to connect again.',
      'Disconnect'))) {
      showMessage(message, 'Still connected.', false);
      return;
    }
    showMessage(message, `${action} ${item.label || item.connectionId}…`, false);
    const response = action === 'disconnect'
      ? await api('DELETE', `/v1/connections/${encodeURIComponent(item.connectionId)}`)
      : await api('POST', `/v1/connections/${encodeURIComponent(item.connectionId)}/${action}`);
    const name = item.label || item.connectionId;
    if (response.ok && action === 'archive') {
      showMessage(message, `Removed: ${name}.`, false);
    } else if (response.ok) {
      const done = { test: 'Test passed', refresh: 'Refreshed', disconnect: 'Disconnected' }[action];
      showMessage(message, `${done}: ${name} (status ${response.body.status}).`, false);
    } else {
      showMessage(message, `${action} failed for ${name}: ${problemText(response)}`, true);
    }
    await load();
  }

  // Expiry counts down and "last refresh" counts up every second without asking the server again.
  function tick() {
    const now = Date.now();
    for (const cell of document.querySelectorAll('td.countdown, td.since')) {
      cell.textContent = cell.dataset.at ? relative(cell.dataset.at, now) : '—';
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    message = document.getElementById('message');
    load().catch(error => showMessage(message, error.message, true));
    document.getElementById('include-pending').addEventListener('change', () => load().catch(error => showMessage(message, error.message, true)));
    document.getElementById('more').addEventListener('click', event =>
      load(event.target.dataset.after).catch(error => showMessage(message, error.message, true)));
    setInterval(tick, 1000);
  });
})();
