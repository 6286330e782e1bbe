'use strict';

(() => {
  const { api, el, problemText, showMessage, query } = ui;
  const blockKinds = [
    ['accessToken', 'Access Token'],
    ['refreshToken', 'Refresh Token'],
    ['revokeToken', 'Revoke Token'],
    ['testMe', 'Test Me'],
  ];
  // Members the form edits; everything else round-trips through the "other members" JSON.
  const formMembers = ['authorization', 'accessToken', 'refreshToken', 'revokeToken', 'testMe', 'connectionLabel', 'allowedUrls', 'append'];
  const formAuthorizationMembers = ['url', 'clientId', 'clientSecret', 'scopes', 'scopeSeparator', 'pkce'];

  let scopes = [];
  let published = false;
  let message;
  const $ = id => document.getElementById(id);

  function versionPath() {
    return `/v1/plugins/${encodeURIComponent($('pluginId').value.trim())}/auth-versions/${encodeURIComponent($('versionId').value.trim())}`;
  }

  // ---- scopes as chips ----
  function renderScopes() {
    const box = $('scopes');
    for (const chip of box.querySelectorAll('.chip')) chip.remove();
    const input = $('scopeInput');
    for (const scope of scopes) {
      const remove = el('button', { type: 'button', title: 'Remove ' + scope, 'aria-label': 'Remove ' + scope, text: '×', onclick: () => { scopes = scopes.filter(s => s !== scope); renderScopes(); } });
      remove.disabled = published;
      box.insertBefore(el('span', { class: 'chip', 'data-scope': scope }, el('span', { text: scope }), remove), input);
    }
  }

  function onScopeKey(event) {
    const input = event.target;
    if (event.key === 'Enter') {
      event.preventDefault();
      const scope = input.value.trim();
      if (!scope) return;
      if (scopes.includes(scope)) {
        showMessage(message, `Scope "${scope}" is already in the list.`, true);
        return;
      }
      scopes.push(scope);
      input.value = '';
      showMessage(message, '', false);
      renderScopes();
    } else if (event.key === 'Backspace' && input.value === '' && scopes.length > 0) {
      scopes.pop();
      renderScopes();
    }
  }

  // ---- append headers as rows ----
  function addHeaderRow(name, value) {
    const row = el('div', { class: 'row header-row' },
      el('input', { type: 'text', class: 'header-name', placeholder: 'Header', value: name || '', 'aria-label': 'Header name' }),
      el('input', { type: 'text', class: 'header-value', placeholder: 'Value (template)', value: value || '', 'aria-label': 'Header value' }),
      el('button', { type: 'button', class: 'secondary remove-header', text: 'Remove', onclick: () => row.remove() }));
    $('headers').append(row);
  }

  // ---- blocks ----
  function renderBlocks() {
    const container = $('blocks');
    for (const [kind, title] of blockKinds) {
      const pointer = '/' + kind;
      container.append(el('div', { 'data-pointer': pointer, 'data-block': kind },
        el('label', { for: 'block-' + kind, text: title }),
        el('div', { class: 'row' },
          el('select', { id: 'mode-' + kind, 'aria-label': title + ' kind' },
            el('option', { value: 'code', text: 'JavaScript' }),
            el('option', { value: 'request', text: 'Request (JSON)' })),
          el('button', { type: 'button', class: 'secondary run', 'data-run': kind, text: 'Run ' + title, onclick: () => run(kind) })),
        el('textarea', { id: 'block-' + kind, spellcheck: 'false' }),
        el('pre', { class: 'output hidden', id: 'output-' + kind })));
    }
  }

  function blockFromForm(kind) {
    const text = $('block-' + kind).value;
    if (!text.trim()) return undefined;
    if ($('mode-' + kind).value === 'code') return { code: text };
    try {
      return { request: JSON.parse(text) };
    } catch (error) {
      throw new LocalError('/' + kind, 'The request must be JSON: ' + error.message);
    }
  }

  class LocalError extends Error {
    constructor(pointer, detail) { super(detail); this.pointer = pointer; }
  }

  function parseJsonObject(id, pointer) {
    let value;
    try { value = JSON.parse($(id).value || '{}'); } catch (error) { throw new LocalError(pointer, 'Not valid JSON: ' + error.message); }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new LocalError(pointer, 'Must be a JSON object.');
    return value;
  }

  // ---- form <-> definition ----
  function fillForm(version) {
    const definition = version ? version.definition : {};
    const authorization = definition.authorization || {};
    $('authUrl').value = authorization.url || '';
    $('clientId').value = authorization.clientId || '';
    $('clientSecret').value = '';
    $('secretState').textContent = version && version.clientSecretSet ? '(set)' : '(not set)';
    scopes = [...(authorization.scopes || [])];
    $('scopeSeparator').value = authorization.scopeSeparator || 'space';
    $('pkce').value = authorization.pkce || 'S256';
    for (const [kind] of blockKinds) {
      const block = definition[kind];
      $('mode-' + kind).value = block && block.request ? 'request' : 'code';
      $('block-' + kind).value = !block ? '' : block.request ? JSON.stringify(block.request, null, 2) : (block.code || '');
    }
    $('connectionLabel').value = definition.connectionLabel || '';
    $('allowedUrls').value = (definition.allowedUrls || []).join('\n');
    $('headers').replaceChildren();
    for (const [name, value] of Object.entries((definition.append || {}).headers || {})) addHeaderRow(name, value);

    const other = { ...definition };
    for (const member of formMembers) delete other[member];
    const otherAuthorization = { ...authorization };
    for (const member of formAuthorizationMembers) delete otherAuthorization[member];
    if (Object.keys(otherAuthorization).length) other.authorization = otherAuthorization;
    const otherAppend = { ...(definition.append || {}) };
    delete otherAppend.headers;
    for (const [key, value] of Object.entries(otherAppend)) if (value && Object.keys(value).length === 0) delete otherAppend[key];
    if (Object.keys(otherAppend).length) other.append = otherAppend;
    $('otherMembers').value = JSON.stringify(other, null, 2);
    renderScopes();
  }

  function definitionFromForm() {
    const other = parseJsonObject('otherMembers', '');
    const definition = { ...other };
    const authorization = { ...(other.authorization || {}) };
    const nonEmpty = value => value.trim() === '' ? undefined : value.trim();
    authorization.url = nonEmpty($('authUrl').value);
    authorization.clientId = nonEmpty($('clientId').value);
    if ($('clientSecret').value !== '') authorization.clientSecret = $('clientSecret').value;
    authorization.scopes = [...scopes];
    authorization.scopeSeparator = $('scopeSeparator').value;
    authorization.pkce = $('pkce').value;
    definition.authorization = authorization;
    for (const [kind] of blockKinds) {
      const block = blockFromForm(kind);
      if (block) definition[kind] = block; else delete definition[kind];
    }
    definition.connectionLabel = nonEmpty($('connectionLabel').value);
    definition.allowedUrls = $('allowedUrls').value.split('\n').map(line => line.trim()).filter(Boolean);
    const headers = {};
    for (const row of document.querySelectorAll('.header-row')) {
      const name = row.querySelector('.header-name').value.trim();
      if (name) headers[name] = row.querySelector('.header-value').value;
    }
    definition.append = { ...(other.append || {}), headers };
    return definition;
  }

  // ---- validation errors next to the member they point at ----
  function clearErrors() {
    for (const node of document.querySelectorAll('.field-error')) node.remove();
    for (const node of document.querySelectorAll('.invalid')) node.classList.remove('invalid');
  }

  /** The form part whose pointer is the longest prefix (on a segment boundary) of the error's pointer. */
  function holderFor(pointer) {
    let best = null;
    for (const holder of document.querySelectorAll('#definition [data-pointer]')) {
      const own = holder.dataset.pointer;
      const matches = own === '' || pointer === own || pointer.startsWith(own + '/');
      if (matches && (!best || own.length > best.dataset.pointer.length)) best = holder;
    }
    return best;
  }

  function showErrors(errors) {
    clearErrors();
    for (const error of errors) {
      const holder = holderFor(error.pointer || '');
      const text = `${error.detail}${error.pointer ? ` (${error.pointer})` : ''}`;
      holder.append(el('p', { class: 'field-error', 'data-error-pointer': error.pointer || '', text }));
      // The member's main control: its text area, chip box or input, in that order of preference.
      const input = ['textarea', '.chips', 'input', 'select'].map(selector => holder.querySelector(selector)).find(Boolean);
      if (input) input.classList.add('invalid');
    }
  }

  // ---- actions ----
  async function open() {
    const response = await api('GET', versionPath());
    if (response.status === 404) {
      published = false;
      fillForm(null);
      $('versionStatus').textContent = 'New draft (not saved yet)';
    } else if (!response.ok) {
      showMessage(message, 'Cannot open: ' + problemText(response), true);
      return;
    } else {
      published = response.body.status === 'published';
      fillForm(response.body);
      $('versionStatus').textContent = published ? `Published ${response.body.publishedAt} (read-only)` : `Draft, saved ${response.body.updatedAt}`;
      if (response.body.redirectUri) $('redirectUri').value = response.body.redirectUri;
    }
    setReadOnly(published);
    clearErrors();
    $('definition').classList.remove('hidden');
  }

  function setReadOnly(readOnly) {
    for (const control of document.querySelectorAll('#definition input, #definition textarea, #definition select')) {
      if (control.id === 'sampleAuthData') continue;
      control.disabled = readOnly;
    }
    for (const button of document.querySelectorAll('#definition button:not(.run)')) button.disabled = readOnly;
    renderScopes();
  }

  /** Saves the draft; true when the server accepted it. */
  async function save() {
    let definition;
    try {
      definition = definitionFromForm();
    } catch (error) {
      if (error instanceof LocalError) {
        showErrors([{ pointer: error.pointer, detail: error.message }]);
        showMessage(message, 'Fix the marked members.', true);
        return false;
      }
      throw error;
    }
    const response = await api('PUT', versionPath(), definition);
    if (!response.ok) {
      const errors = (response.body && response.body.errors) || [];
      showErrors(errors);
      showMessage(message, 'Not saved: ' + problemText(response), true);
      return false;
    }
    clearErrors();
    $('clientSecret').value = '';
    $('secretState').textContent = response.body.clientSecretSet ? '(set)' : '(not set)';
    $('versionStatus').textContent = `Draft, saved ${response.body.updatedAt}`;
    if (response.body.redirectUri) $('redirectUri').value = response.body.redirectUri;
    showMessage(message, 'Draft saved.', false);
    return true;
  }

  async function publish() {
    if (!(await save())) return;
    const response = await api('POST', versionPath() + '/publish');
    if (!response.ok) {
      showErrors((response.body && response.body.errors) || []);
      showMessage(message, 'Not published: ' + problemText(response), true);
      return;
    }
    await open();
    showMessage(message, 'Published. This version is now read-only; connections can use it.', false);
  }

  async function run(kind) {
    const output = $('output-' + kind);
    let authData;
    try {
      authData = parseJsonObject('sampleAuthData', '');
    } catch (error) {
      showMessage(message, 'Sample authData: ' + error.message, true);
      return;
    }
    // A run executes the stored version, so unsaved edits of a draft are saved first.
    if (!published && !(await save())) return;
    output.classList.remove('hidden');
    output.textContent = 'Running…';
    const response = await api('POST', versionPath() + '/test-runs', { block: kind, authData });
    output.textContent = response.ok ? describeRun(response.body) : 'Run refused: ' + problemText(response);
  }

  function describeRun(run) {
    const lines = [];
    if (run.failure) {
      const status = run.failure.httpStatus ? ` HTTP ${run.failure.httpStatus}` : '';
      lines.push(`Failure: ${run.failure.code} (${run.failure.kind})${status}: ${run.failure.message}`);
      if (run.failure.responseData !== null && run.failure.responseData !== undefined) lines.push('Response: ' + JSON.stringify(run.failure.responseData, null, 2));
    } else {
      lines.push('Result: ' + JSON.stringify(run.result, null, 2));
    }
    lines.push('', 'Console:');
    for (const line of run.console) lines.push(`  [${line.level}] ${line.message}`);
    if (run.console.length === 0) lines.push('  (nothing)');
    lines.push('', 'HTTP:');
    for (const call of run.http) lines.push(`  ${call.method} ${call.url} -> ${call.status ?? call.error} (${Math.round(call.durationMs)} ms)`);
    if (run.http.length === 0) lines.push('  (no calls)');
    lines.push('', `Took ${Math.round(run.durationMs)} ms`);
    return lines.join('\n');
  }

  async function copyRedirect() {
    const input = $('redirectUri');
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      showMessage(message, 'Redirect URL copied.', false);
    } catch {
      showMessage(message, 'Select the redirect URL and copy it.', false);
    }
  }

  const guard = action => () => action().catch(error => showMessage(message, error.message, true));

  document.addEventListener('DOMContentLoaded', () => {
    message = $('message');
    renderBlocks();
    $('pluginId').value = query('pluginId') || '';
    $('versionId').value = query('versionId') || '';
    $('scopeInput').addEventListener('keydown', onScopeKey);
    $('addHeader').addEventListener('click', () => addHeaderRow('', ''));
    $('load').addEventListener('click', guard(open));
    $('target').addEventListener('submit', event => { event.preventDefault(); guard(open)(); });
    $('copyRedirect').addEventListener('click', guard(copyRedirect));
    $('definition').addEventListener('submit', event => { event.preventDefault(); guard(save)(); });
    $('publish').addEventListener('click', guard(publish));
    if (query('pluginId') && query('versionId')) guard(open)();
  });
})();
