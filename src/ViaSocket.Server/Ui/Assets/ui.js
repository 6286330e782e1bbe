// Shared helpers of the operator UI. Data is only ever written with textContent, never as HTML.
'use strict';

const ui = (() => {
  // The server accepts the session cookie only on requests carrying this header (cross-site forms cannot add it).
  const uiHeader = { 'X-ViaSocket-UI': '1' };

  function signInAgain() {
    location.assign('/ui/login?next=' + encodeURIComponent(location.pathname + location.search));
  }

  /** Calls the /v1 API with the session cookie; answers { ok, status, body }. */
  async function api(method, path, body) {
    const headers = { ...uiHeader, Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 401) {
      signInAgain();
      throw new Error('Your session has ended; sign in again.');
    }
    const text = await response.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    return { ok: response.ok, status: response.status, body: parsed };
  }

  /** Builds an element; string children become text nodes. */
  function el(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') element.textContent = value;
      else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      element.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return element;
  }

  /** A one-line description of an API problem (problem+json with code). */
  function problemText(response) {
    const body = response.body;
    if (body && typeof body === 'object') {
      const code = body.code ? ` (${body.code})` : '';
      return (body.detail || body.title || `HTTP ${response.status}`) + code;
    }
    return `HTTP ${response.status}`;
  }

  function showMessage(element, text, isError) {
    element.textContent = text;
    element.classList.toggle('error', Boolean(isError));
  }

  /** "in 1h 2m 3s" / "3m 10s ago" style relative time; ticks by the second below a day. */
  function relative(iso, now) {
    if (!iso) return '—';
    let seconds = Math.round((new Date(iso).getTime() - now) / 1000);
    const past = seconds < 0;
    seconds = Math.abs(seconds);
    const days = Math.floor(seconds / 86400);
    const units = days
      ? [[days, 'd'], [Math.floor((seconds % 86400) / 3600), 'h']]
      : [[Math.floor(seconds / 3600), 'h'], [Math.floor((seconds % 3600) / 60), 'm'], [seconds % 60, 's']];
    // Leading zero units are dropped ("5m 2s", not "0h 5m 2s").
    while (units.length > 1 && units[0][0] === 0) units.shift();
    const span = units.map(([value, unit]) => value + unit).join(' ');
    return past ? span + ' ago' : 'in ' + span;
  }

  function query(name) {
    return new URLSearchParams(location.search).get(name);
  }

  /**
   * Asks before an action that cannot be undone, in a modal dialog (Escape or Cancel keep things as they are).
   * Resolves true only when the person chose the action itself; focus starts on Cancel.
   */
  function confirmAction(title, text, actionLabel) {
    return new Promise((resolve) => {
      const cancel = el('button', { type: 'button', id: 'confirm-cancel', text: 'Cancel' });
      const accept = el('button', { type: 'button', id: 'confirm-accept', class: 'danger', text: actionLabel });
      const dialog = el('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' },
        el('h2', { id: 'confirm-title', text: title }),
        el('p', { id: 'confirm-text', text }),
        el('div', { class: 'actions' }, cancel, accept));
      const close = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
      cancel.addEventListener('click', () => close(false));
      accept.addEventListener('click', () => close(true));
      dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(false); });
      document.body.append(dialog);
      dialog.showModal();
      cancel.focus();
    });
  }

  return { api, el, problemText, showMessage, relative, query, confirmAction };
})();
