'use strict';

(() => {
  const { api, el, problemText, showMessage, query, confirmAction } = ui;
  const blockKinds = [
    ['accessToken', 'Access Token'],
    ['refreshToken', 'Refresh Token'],
    ['revokeToken', 'Revoke Token'],
    ['testMe', 'Test Me'],
  ];
  const fieldTypes = ['string', 'secret', 'select'];
  // FieldFormats on the server; '' is no format.
  const fieldFormats = ['', 'dnsLabel', 'hostname', 'url', 'email', 'integer'];
  const appendParts = ['headers', 'query', 'body'];

  let published = false;
  let message;
  let scopes;
  let refreshStatuses;
  let extraParams;
  let optionalScopes;
  let parameterNames;
  const omittable = ['response_type', 'redirect_uri'];
  const append = {};
  const fieldOptions = new Map();
  const $ = id => document.getElementById(id);
  const say = (text, isError) => showMessage(message, text, isError);
  const nonEmpty = value => value.trim() === '' ? undefined : value.trim();

  function versionPath() {
    return `/v1/plugins/${encodeURIComponent($('pluginId').value.trim())}/auth-versions/${encodeURIComponent($('versionId').value.trim())}`;
  }

  // ---- fields table ----
  function addFieldRow(field) {
    const cell = (member, label, control) =>
      el('div', { class: 'cell', 'data-member': member }, el('label', { class: 'cell-label' }, label, control));
    const type = el('select', { class: 'field-type' }, ...fieldTypes.map(t => el('option', { value: t, text: t })));
    type.value = field.type || 'string';
    const format = el('select', { class: 'field-format' }, ...fieldFormats.map(f => el('option', { value: f, text: f || '(any text)' })));
    format.value = field.format || '';
    const optionsBox = el('div', { class: 'field-options' });
    const row = el('div', { class: 'field-row' },
      el('div', { class: 'field-grid' },
        cell('key', 'Key', el('input', { type: 'text', class: 'field-key', value: field.key || '', placeholder: 'subdomain' })),
        cell('label', 'Label', el('input', { type: 'text', class: 'field-label', value: field.label || '' })),
        cell('help', 'Help', el('input', { type: 'text', class: 'field-help', value: field.help || '' })),
        cell('type', 'Type', type),
        // Not a <label>: clicking its text would press the first chip's remove button.
        el('div', { class: 'cell', 'data-member': 'options' }, el('span', { class: 'cell-label', text: 'Options (select)' }), optionsBox),
        cell('default', 'Default', el('input', { type: 'text', class: 'field-default', value: field.default || '' })),
        cell('format', 'Format', format),
        cell('pattern', 'Pattern (regex)', el('input', { type: 'text', class: 'field-pattern', value: field.pattern || '', placeholder: '[a-z0-9-]+' })),
        el('div', { class: 'cell', 'data-member': 'required' },
          el('label', { class: 'inline' }, el('input', { type: 'checkbox', class: 'field-required', checked: Boolean(field.required) }), 'Required'))),
      el('button', { type: 'button', class: 'secondary remove-field', text: 'Remove field', onclick: () => { fieldOptions.delete(row); row.remove(); renumberFields(); } }));
    const options = editors.chipList(optionsBox, { placeholder: 'option, Enter', label: 'Options', onMessage: say });
    options.set(field.options);
    fieldOptions.set(row, options);
    $('fields').append(row);
    renumberFields();
    return row;
  }

  /** Rows are sent in page order, so a row's pointer is its position: /fields/2, /fields/2/key, ... */
  function renumberFields() {
    document.querySelectorAll('#fields .field-row').forEach((row, index) => {
      row.dataset.pointer = '/fields/' + index;
      for (const cell of row.querySelectorAll('[data-member]')) cell.dataset.pointer = `/fields/${index}/${cell.dataset.member}`;
    });
  }

  function fieldsFromForm() {
    return [...document.querySelectorAll('#fields .field-row')].map(row => {
      const type = row.querySelector('.field-type').value;
      const options = fieldOptions.get(row).get();
      return {
        key: row.querySelector('.field-key').value.trim(),
        label: nonEmpty(row.querySelector('.field-label').value),
        help: nonEmpty(row.querySelector('.field-help').value),
        type,
        options: type === 'select' || options.length ? options : undefined,
        required: row.querySelector('.field-required').checked,
        default: nonEmpty(row.querySelector('.field-default').value),
        format: nonEmpty(row.querySelector('.field-format').value),
        pattern: nonEmpty(row.querySelector('.field-pattern').value),
      };
    });
  }

  // ---- numbers ----
  function parseStatus(text) {
    if (!/^\d{3}$/.test(text)) throw new Error(`"${text}" is not an HTTP status (three digits).`);
    return Number(text);
  }

  function wholeNumber(id, pointer) {
    const text = $(id).value.trim();
    if (text === '') return undefined;
    if (!/^\d+$/.test(text)) throw new editors.EditorError(pointer, 'A whole number of seconds.');
    return Number(text);
  }

  function tokenExpiryFromForm() {
    const expiry = {
      expiresInPath: nonEmpty($('expiresInPath').value),
      expiresAtPath: nonEmpty($('expiresAtPath').value),
      unit: $('expiryUnit').value,
      defaultLifetimeSeconds: wholeNumber('defaultLifetimeSeconds', '/tokenExpiry/defaultLifetimeSeconds'),
      never: $('expiryNever').checked,
      refreshMarginSeconds: wholeNumber('refreshMarginSeconds', '/tokenExpiry/refreshMarginSeconds'),
    };
    // Every input at its default is the same as no tokenExpiry member (expires_in of the token response).
    const isDefault = expiry.unit === 'seconds' && !expiry.never
      && [expiry.expiresInPath, expiry.expiresAtPath, expiry.defaultLifetimeSeconds, expiry.refreshMarginSeconds].every(v => v === undefined);
    return isDefault ? undefined : expiry;
  }

  function syncRefreshDefault() {
    refreshStatuses.setDisabled(published || $('refreshOnStatusDefault').checked);
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
      throw new editors.EditorError('/' + kind, 'The request must be JSON: ' + error.message);
    }
  }

  function parseJsonObject(id, pointer) {
    let value;
    try { value = JSON.parse($(id).value || '{}'); } catch (error) { throw new editors.EditorError(pointer, 'Not valid JSON: ' + error.message); }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new editors.EditorError(pointer, 'Must be a JSON object.');
    return value;
  }

  // ---- form <-> definition: the members below have editors; any other member is kept as loaded ----
  const editedMembers = {
    definition: ['fields', 'authorization', ...blockKinds.map(([kind]) => kind), 'connectionLabel', 'maskConnectionLabel',
      'uniqueIdentifier', 'allowedUrls', 'append', 'tokenExpiry', 'refreshOnStatus'],
    authorization: ['url', 'clientId', 'clientSecret', 'scopes', 'scopeSeparator', 'extraParams', 'pkce', 'issuer', 'requireIssuerParameter', 'jwksUrl'],
    block: ['code', 'request'],
  };

  // The definition last loaded, so that saving keeps what the form cannot show (e.g. refreshOn, a block's outcomes).
  let loadedDefinition = {};

  /** The members of <loaded> that the form has no editor for, under what the form produced. */
  function keepUnedited(loaded, edited, fromForm) {
    const kept = Object.fromEntries(Object.entries(loaded || {}).filter(([name]) => !edited.includes(name)));
    return { ...kept, ...fromForm };
  }

  function fillForm(version) {
    const definition = version ? version.definition : {};
    loadedDefinition = definition;
    const authorization = definition.authorization || {};
    $('fields').replaceChildren();
    fieldOptions.clear();
    for (const field of definition.fields || []) addFieldRow(field);
    $('authUrl').value = authorization.url || '';
    $('clientId').value = authorization.clientId || '';
    $('clientSecret').value = '';
    $('secretState').textContent = version && version.clientSecretSet ? '(set)' : '(not set)';
    scopes.set(authorization.scopes);
    optionalScopes.set(authorization.optionalScopes);
    $('scopeSeparator').value = authorization.scopeSeparator || 'space';
    $('customScopeSeparator').value = authorization.customScopeSeparator || '';
    $('pkce').value = authorization.pkce || 'S256';
    $('pkceRequired').checked = Boolean(authorization.pkceRequired);
    $('clientAuthentication').value = authorization.clientAuthentication || 'block';
    parameterNames.set(authorization.parameterNames);
    for (const name of omittable) $('omit-' + name).checked = (authorization.omitParameters || []).includes(name);
    extraParams.set(authorization.extraParams);
    $('issuer').value = authorization.issuer || '';
    $('requireIssuerParameter').checked = Boolean(authorization.requireIssuerParameter);
    $('jwksUrl').value = authorization.jwksUrl || '';
    for (const [kind] of blockKinds) {
      const block = definition[kind];
      $('mode-' + kind).value = block && block.request ? 'request' : 'code';
      $('block-' + kind).value = !block ? '' : block.request ? JSON.stringify(block.request, null, 2) : (block.code || '');
    }
    $('connectionLabel').value = definition.connectionLabel || '';
    $('maskConnectionLabel').checked = Boolean(definition.maskConnectionLabel);
    $('uniqueIdentifier').value = definition.uniqueIdentifier || '';
    $('allowedUrls').value = (definition.allowedUrls || []).join('\n');
    for (const part of appendParts) append[part].set((definition.append || {})[part]);
    const expiry = definition.tokenExpiry || {};
    $('expiresInPath').value = expiry.expiresInPath || '';
    $('expiresAtPath').value = expiry.expiresAtPath || '';
    $('expiryUnit').value = expiry.unit || 'seconds';
    $('defaultLifetimeSeconds').value = expiry.defaultLifetimeSeconds ?? '';
    $('expiryNever').checked = Boolean(expiry.never);
    $('refreshMarginSeconds').value = expiry.refreshMarginSeconds ?? '';
    // Absent means the default [401]; an explicit list (even empty) is kept as written.
    const statuses = definition.refreshOnStatus;
    $('refreshOnStatusDefault').checked = statuses === undefined || statuses === null;
    refreshStatuses.set(statuses);
  }

  function definitionFromForm() {
    const authorization = {
      url: nonEmpty($('authUrl').value),
      clientId: nonEmpty($('clientId').value),
      scopes: scopes.get(),
      optionalScopes: optionalScopes.get(),
      scopeSeparator: $('scopeSeparator').value,
      // Kept as typed: a custom separator may be a space-padded literal such as "; ".
      customScopeSeparator: $('customScopeSeparator').value === '' ? undefined : $('customScopeSeparator').value,
      parameterNames: parameterNames.get(),
      omitParameters: omittable.filter(name => $('omit-' + name).checked),
      extraParams: extraParams.get(),
      pkce: $('pkce').value,
      pkceRequired: $('pkceRequired').checked,
      clientAuthentication: $('clientAuthentication').value,
      issuer: nonEmpty($('issuer').value),
      requireIssuerParameter: $('requireIssuerParameter').checked,
      jwksUrl: nonEmpty($('jwksUrl').value),
    };
    if ($('clientSecret').value !== '') authorization.clientSecret = $('clientSecret').value;
    const definition = keepUnedited(loadedDefinition, editedMembers.definition, {
      fields: fieldsFromForm(),
      authorization: keepUnedited(loadedDefinition.authorization, editedMembers.authorization, authorization),
    });
    for (const [kind] of blockKinds) {
      const block = blockFromForm(kind);
      definition[kind] = block && keepUnedited(loadedDefinition[kind], editedMembers.block, block);
    }
    definition.connectionLabel = nonEmpty($('connectionLabel').value);
    definition.maskConnectionLabel = $('maskConnectionLabel').checked;
    definition.uniqueIdentifier = nonEmpty($('uniqueIdentifier').value);
    definition.allowedUrls = $('allowedUrls').value.split('\n').map(line => line.trim()).filter(Boolean);
    definition.append = Object.fromEntries(appendParts.map(part => [part, append[part].get()]));
    definition.tokenExpiry = tokenExpiryFromForm();
    definition.refreshOnStatus = $('refreshOnStatusDefault').checked ? undefined : refreshStatuses.get();
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

  /** Shows each error beside the member, field row or map entry it points at (or the one it names, for local errors). */
  function showErrors(errors) {
    clearErrors();
    let first = null;
    for (const error of errors) {
      const holder = error.holder || holderFor(error.pointer || '');
      const text = `${error.detail}${error.pointer ? ` (${error.pointer})` : ''}`;
      holder.append(el('p', { class: 'field-error', 'data-error-pointer': error.pointer || '', text }));
      // The member's main control: its text area, chip box, text input or select, in that order of preference.
      const input = ['textarea', '.chips', 'input:not([type=checkbox])', 'select', 'input']
        .map(selector => holder.querySelector(selector)).find(Boolean);
      if (input) input.classList.add('invalid');
      first ??= holder;
    }
    if (first) first.scrollIntoView({ block: 'center' });
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
    scopes.setDisabled(readOnly);
    optionalScopes.setDisabled(readOnly);
    for (const options of fieldOptions.values()) options.setDisabled(readOnly);
    syncRefreshDefault();
  }

  /** Saves the draft; true when the server accepted it. */
  async function save() {
    let definition;
    try {
      definition = definitionFromForm();
    } catch (error) {
      if (error instanceof editors.EditorError) {
        showErrors([{ pointer: error.pointer, detail: error.message, holder: error.holder }]);
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
    const confirmed = await confirmAction(
      `Publish version ${$('versionId').value.trim()} of ${$('pluginId').value.trim()}?`,
      'A published version is read-only, and connections can start with it at once. Changes after that need a new version.',
      'Publish');
    if (!confirmed) {
      showMessage(message, 'Not published.', false);
      return;
    }
    if (!(await save())) return;
    const response = await api('POST', versionPath() + '/publish');
    if (!response.ok) {
      showErrors((response.body && response.body.errors) || []);
      showMessage(message, 'Not published: ' + problemText(response), true);
      return;
    }
    await open();
    showMessage(message, 'Published. This version is now read-only; connections can use it.' + builderDiscovery.describeCheck(response.body.metadataCheck), false);
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
    scopes = editors.chipList($('scopes'), { placeholder: 'type a scope, Enter to add', label: 'Scopes', onMessage: say });
    scopes.input.id = 'scopeInput';
    optionalScopes = editors.chipList($('optionalScopes'), { placeholder: 'type a scope, Enter to add', label: 'Optional scopes', onMessage: say });
    optionalScopes.input.id = 'optionalScopeInput';
    parameterNames = editors.keyValueTable($('parameterNames'), { basePointer: '/authorization/parameterNames', namePlaceholder: 'client_id', addLabel: 'Rename parameter' });
    refreshStatuses = editors.chipList($('refreshOnStatus'), { placeholder: 'status, Enter to add', label: 'Refresh on status', parse: parseStatus, onMessage: say });
    refreshStatuses.input.id = 'refreshOnStatusInput';
    $('refreshOnStatusDefault').addEventListener('change', syncRefreshDefault);
    extraParams = editors.keyValueTable($('extraParams'), { basePointer: '/authorization/extraParams', namePlaceholder: 'Parameter', addLabel: 'Add parameter' });
    for (const [part, name, addLabel] of [['headers', 'Header', 'Add header'], ['query', 'Parameter', 'Add query parameter'], ['body', 'Member', 'Add body member']]) {
      append[part] = editors.keyValueTable($('append' + part[0].toUpperCase() + part.slice(1)), { basePointer: '/append/' + part, namePlaceholder: name, addLabel });
    }
    $('addField').addEventListener('click', () => addFieldRow({}).querySelector('.field-key').focus());
    $('load').addEventListener('click', guard(open));
    $('target').addEventListener('submit', event => { event.preventDefault(); guard(open)(); });
    $('copyRedirect').addEventListener('click', guard(copyRedirect));
    $('definition').addEventListener('submit', event => { event.preventDefault(); guard(save)(); });
    $('publish').addEventListener('click', guard(publish));
    builderDiscovery.attach({ versionPath, open, scopes, say });
    if (query('pluginId') && query('versionId')) guard(open)();
  });
})();
