// Reusable form editors of the builder: a chip list (scopes, select options, statuses) and a key-value table (extra
// params, append headers/query/body). Values are only ever written with textContent or input values, never as HTML.
'use strict';

const editors = (() => {
  const { el } = ui;

  /** Escapes one JSON-pointer reference token (RFC 6901), as the API does when it names a map entry. */
  function pointerToken(token) {
    return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
  }

  /**
   * A list edited as chips: typing a value and pressing Enter adds it, Backspace in the empty box removes the last,
   * duplicates are refused. `parse` turns the typed text into a value or throws an Error whose message is shown.
   */
  function chipList(box, { placeholder, label, parse = text => text, onMessage = () => {} }) {
    let values = [];
    let disabled = false;
    const input = el('input', { type: 'text', class: 'chip-input', placeholder, 'aria-label': label });
    box.classList.add('chips');
    box.append(input);

    function render() {
      for (const chip of box.querySelectorAll('.chip')) chip.remove();
      for (const value of values) {
        const text = String(value);
        const remove = el('button', {
          type: 'button', title: 'Remove ' + text, 'aria-label': 'Remove ' + text, text: '×',
          onclick: () => { values = values.filter(v => v !== value); render(); },
        });
        remove.disabled = disabled;
        box.insertBefore(el('span', { class: 'chip', 'data-value': text }, el('span', { text }), remove), input);
      }
      input.disabled = disabled;
    }

    input.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        let value;
        try {
          value = parse(text);
        } catch (error) {
          onMessage(error.message, true);
          return;
        }
        if (values.includes(value)) {
          onMessage(`"${text}" is already in the list.`, true);
          return;
        }
        values.push(value);
        input.value = '';
        onMessage('', false);
        render();
      } else if (event.key === 'Backspace' && input.value === '' && values.length > 0) {
        values.pop();
        render();
      }
    });

    return {
      input,
      get: () => [...values],
      set: list => { values = [...(list || [])]; render(); },
      setDisabled: value => { disabled = value; render(); },
    };
  }

  /**
   * A map edited as rows of name and value. Each row carries the JSON pointer of its entry
   * (basePointer + '/' + escaped name), so an API error about that entry lands beside it.
   */
  function keyValueTable(container, { basePointer, namePlaceholder = 'Name', valuePlaceholder = 'Value (template)', addLabel = 'Add' }) {
    const rows = el('div', { class: 'kv-rows' });
    const add = el('button', { type: 'button', class: 'secondary kv-add', text: addLabel, onclick: () => addRow('', '').querySelector('.kv-name').focus() });
    container.classList.add('kv');
    container.append(rows, add);

    function addRow(name, value) {
      const nameInput = el('input', { type: 'text', class: 'kv-name', placeholder: namePlaceholder, 'aria-label': namePlaceholder, value: name });
      const valueInput = el('input', { type: 'text', class: 'kv-value', placeholder: valuePlaceholder, 'aria-label': valuePlaceholder, value });
      const row = el('div', { class: 'kv-row' },
        el('div', { class: 'row' }, nameInput, valueInput,
          el('button', { type: 'button', class: 'secondary kv-remove', text: 'Remove', onclick: () => row.remove() })));
      const repoint = () => { row.dataset.pointer = basePointer + '/' + pointerToken(nameInput.value.trim()); };
      nameInput.addEventListener('input', repoint);
      repoint();
      rows.append(row);
      return row;
    }

    /** The map; throws { pointer, holder, message } for a row without a name or a name used twice. */
    function get() {
      const map = {};
      for (const row of rows.querySelectorAll('.kv-row')) {
        const name = row.querySelector('.kv-name').value.trim();
        const value = row.querySelector('.kv-value').value;
        if (!name && !value) continue;
        if (!name) throw new EditorError(basePointer, 'Give this entry a name.', row);
        if (Object.hasOwn(map, name)) throw new EditorError(row.dataset.pointer, `"${name}" is listed twice.`, row);
        map[name] = value;
      }
      return map;
    }

    return {
      get,
      set: map => { rows.replaceChildren(); for (const [name, value] of Object.entries(map || {})) addRow(name, value); },
      addRow,
    };
  }

  /** A problem found before anything is sent; shown like an API validation error, beside `holder` when given. */
  class EditorError extends Error {
    constructor(pointer, detail, holder) { super(detail); this.pointer = pointer; this.holder = holder; }
  }

  return { chipList, keyValueTable, pointerToken, EditorError };
})();
