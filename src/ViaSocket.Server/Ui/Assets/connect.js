'use strict';

(() => {
  const { api, el, problemText, showMessage, query } = ui;
  let message;

  function target() {
    return {
      pluginId: document.getElementById('pluginId').value.trim(),
      versionId: document.getElementById('versionId').value.trim(),
      ownerId: document.getElementById('ownerId').value.trim(),
      returnUrl: document.getElementById('returnUrl').value.trim() || null,
    };
  }

  /** Reads the version, then asks for its fields (if any) before connecting. */
  async function loadVersion() {
    const { pluginId, versionId, ownerId } = target();
    if (!pluginId || !versionId || !ownerId) {
      showMessage(message, 'Plugin, version and owner are required.', true);
      return;
    }
    const response = await api('GET', `/v1/plugins/${encodeURIComponent(pluginId)}/auth-versions/${encodeURIComponent(versionId)}`);
    if (!response.ok) {
      showMessage(message, 'Cannot connect: ' + problemText(response), true);
      return;
    }
    if (response.body.status !== 'published') {
      showMessage(message, `Version ${versionId} is a draft; publish it in the builder first.`, true);
      return;
    }
    const container = document.getElementById('fields');
    container.replaceChildren();
    for (const field of response.body.definition.fields || []) container.append(...fieldInputs(field));
    showScopes(response.body.definition.authorization || {});
    for (const input of document.querySelectorAll('#target input')) input.readOnly = true;
    document.getElementById('load').classList.add('hidden');
    document.getElementById('connect').classList.remove('hidden');
    showMessage(message, '', false);
  }

  // What the browser can check up front for each field format (FieldFormats on the server).
  const formatHints = {
    dnsLabel: { pattern: '[A-Za-z0-9]([A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?' },
    hostname: { pattern: '[A-Za-z0-9]([A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?)*' },
    url: { type: 'url' },
    email: { type: 'email' },
    integer: { pattern: '-?[0-9]+', inputmode: 'numeric' },
  };

  function fieldInputs(field) {
    const id = 'field-' + field.key;
    const label = el('label', { for: id, text: (field.label || field.key) + (field.required ? ' *' : '') });
    let input;
    if (field.type === 'select') {
      input = el('select', { id, name: field.key, required: field.required },
        ...(field.options || []).map(option => el('option', { value: option, text: option, selected: option === field.default })));
    } else {
      const format = formatHints[field.format] || {};
      input = el('input', {
        id, name: field.key, type: field.type === 'secret' ? 'password' : (format.type || 'text'), required: field.required, value: field.default || '',
        // A hint for the browser only: the service checks format and pattern itself (the pattern is .NET syntax, which
        // a browser may not understand; it then ignores it).
        pattern: field.pattern || format.pattern, inputmode: format.inputmode,
      });
    }
    input.dataset.field = field.key;
    return [label, input, field.help ? el('p', { class: 'hint', text: field.help }) : null].filter(Boolean);
  }

  /** The version's optional scopes as checkboxes; its required scopes are always asked for. */
  function showScopes(authorization) {
    const optional = authorization.optionalScopes || [];
    const required = authorization.scopes || [];
    document.getElementById('requiredScopes').textContent = required.length ? 'Always asked for: ' + required.join(', ') : '';
    document.getElementById('optionalScopes').replaceChildren(...optional.map(scope =>
      el('label', {}, el('input', { type: 'checkbox', value: scope, 'data-optional-scope': scope }), ' ' + scope)));
    document.getElementById('scopeChoice').classList.toggle('hidden', optional.length === 0);
  }

  async function start(event) {
    event.preventDefault();
    const fields = {};
    for (const input of document.querySelectorAll('[data-field]')) {
      if (input.value !== '') fields[input.dataset.field] = input.value;
    }
    const optionalScopes = [...document.querySelectorAll('[data-optional-scope]:checked')].map(input => input.dataset.optionalScope);
    document.getElementById('start').disabled = true;
    const response = await api('POST', '/v1/connections', { ...target(), fields, optionalScopes });
    if (!response.ok) {
      document.getElementById('start').disabled = false;
      const detail = (response.body && response.body.errors || []).map(e => `${e.pointer}: ${e.detail}`).join('; ');
      showMessage(message, 'Could not start: ' + problemText(response) + (detail ? ' — ' + detail : ''), true);
      return;
    }
    showMessage(message, 'Redirecting to the provider…', false);
    location.assign(response.body.authorizeUrl);
  }

  document.addEventListener('DOMContentLoaded', () => {
    message = document.getElementById('message');
    for (const name of ['pluginId', 'versionId', 'ownerId', 'returnUrl']) {
      document.getElementById(name).value = query(name) || '';
    }
    document.getElementById('load').addEventListener('click', () => loadVersion().catch(e => showMessage(message, e.message, true)));
    document.getElementById('target').addEventListener('submit', event => { event.preventDefault(); loadVersion(); });
    document.getElementById('connect').addEventListener('submit', event => start(event).catch(e => showMessage(message, e.message, true)));
    if (query('pluginId') && query('versionId') && query('ownerId')) loadVersion().catch(e => showMessage(message, e.message, true));
  });
})();
