// The controls of the cache settings. Each is built once and kept: `set(value)` shows what the
// speaker says, except while a change of its own is on its way or a person is typing in it.
// `commit(value, revert)` is the row's PATCH (see settings.js), called at once on every change.

import { h, text } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';

function labelled(id, label, hint, ...controls) {
  const row = h('div', { class: 'set-row', id: 'row-' + id },
    h('span', { class: 'set-text' },
      h('span', { class: 'set-label', id: 'lbl-' + id, text: label }),
      hint ? h('span', { class: 'set-hint', text: hint }) : null),
    ...controls);
  row.append(h('p', { class: 'set-error', role: 'alert', hidden: true }));
  return row;
}

/** An on/off switch; the switch flips at once and flips back if the speaker refuses. */
export function toggle(key, label, hint, commit) {
  const input = h('input', { type: 'checkbox', role: 'switch', id: 'cfg-' + key, class: 'switch', 'aria-labelledby': 'lbl-' + key });
  const row = labelled(key, label, hint, input);
  row.addEventListener('click', (e) => { if (e.target !== input && !input.disabled && !e.target.closest('.set-error')) input.click(); });
  input.addEventListener('change', () => commit(input.checked, () => { input.checked = !input.checked; }));
  return { row, set: (v) => { input.checked = Boolean(v); } };
}

/** A whole number with − and + buttons, kept within [min, max]. */
export function stepper(key, label, hint, commit, min = 0, max = 1000) {
  const out = h('output', { class: 'step-val', id: 'cfg-' + key, 'aria-live': 'polite' });
  let current = 0;
  const show = (v) => { current = v; text(out, String(v)); };
  const change = (delta) => {
    const next = Math.max(min, Math.min(max, current + delta));
    if (next === current) return;
    const prev = current;
    show(next);
    commit(next, () => show(prev));
  };
  const row = labelled(key, label, hint, h('span', { class: 'stepper' },
    h('button', { class: 'icon-btn sm', type: 'button', 'aria-label': 'Fewer: ' + label, onclick: () => change(-1) }, h('span', { class: 'minus' })),
    out,
    h('button', { class: 'icon-btn sm', type: 'button', 'aria-label': 'More: ' + label, onclick: () => change(1) }, icon('plus'))));
  return { row, set: show };
}

/** A number typed in (minutes, say); sent when the field is left or Enter is pressed. */
export function number(key, label, hint, commit, unit, { min = 0, max = 1e9, step = 1 } = {}) {
  const input = h('input', { type: 'number', id: 'cfg-' + key, class: 'num-input', inputmode: 'decimal', min, max, step, 'aria-labelledby': 'lbl-' + key, enterkeyhint: 'done' });
  let shown = '';
  const set = (v) => {
    shown = String(v);
    if (document.activeElement !== input) input.value = shown;
  };
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') input.blur(); });
  // Left without a change: show what the speaker said meanwhile (`change` comes before `blur`).
  input.addEventListener('blur', () => { input.value = shown; });
  input.addEventListener('change', () => {
    const prev = shown;
    const value = input.valueAsNumber;
    if (input.value === prev) return;
    // An empty or unreadable field goes out as null, and the speaker's answer says what it wants.
    commit(Number.isFinite(value) ? value : null, () => { input.value = prev; shown = prev; });
    shown = input.value;
  });
  const row = labelled(key, label, hint, h('span', { class: 'num' }, input, unit ? h('span', { class: 'unit', text: unit }) : null));
  return { row, set };
}

/** A byte size from a list of choices (the current value is always one of them). */
export function size(key, label, hint, commit, choices) {
  const sel = h('select', { id: 'cfg-' + key, class: 'select', 'aria-labelledby': 'lbl-' + key });
  let prev = '';
  const set = (v) => {
    const values = [...new Set([...choices, v])].sort((a, b) => a - b);
    if (sel.options.length !== values.length || !values.every((x, i) => sel.options[i].value === String(x))) {
      sel.replaceChildren(...values.map((x) => h('option', { value: String(x), text: fmt.bytes(x) })));
    }
    sel.value = prev = String(v);
  };
  sel.addEventListener('change', () => {
    const before = prev;
    prev = sel.value;
    commit(Number(sel.value), () => { sel.value = prev = before; });
  });
  return { row: labelled(key, label, hint, sel), set };
}

/** One of a few named choices, as a segmented control (radio buttons for assistive technology). */
export function choice(key, label, hint, commit, options) {
  const group = h('div', { class: 'segmented', role: 'radiogroup', id: 'cfg-' + key, 'aria-labelledby': 'lbl-' + key });
  let current = '';
  const buttons = options.map(([value, name]) => h('button', {
    class: 'seg', type: 'button', role: 'radio', 'data-value': value, text: name,
    onclick: () => {
      if (value === current) return;
      const prev = current;
      show(value);
      commit(value, () => show(prev));
    },
  }));
  function show(v) {
    current = v;
    for (const b of buttons) b.setAttribute('aria-checked', String(b.dataset.value === v));
  }
  group.append(...buttons);
  const row = labelled(key, label, hint);
  row.classList.add('stacked');
  row.insertBefore(group, row.lastChild);
  return { row, set: show };
}

/** A value from named choices, as a list; '' stands for null (the speaker's default). A value the
 *  speaker holds that is not among them is shown too, so the list never lies about it. */
export function select(key, label, hint, commit, options) {
  const sel = h('select', { id: 'cfg-' + key, class: 'select', 'aria-labelledby': 'lbl-' + key });
  let prev = '';
  const set = (v) => {
    const value = v == null ? '' : String(v);
    const known = options.some(([x]) => x === value);
    const all = known ? options : [...options, [value, value]];
    if (sel.options.length !== all.length || !all.every(([x], i) => sel.options[i].value === x)) {
      sel.replaceChildren(...all.map(([x, name]) => h('option', { value: x, text: name })));
    }
    sel.value = prev = value;
  };
  sel.addEventListener('change', () => {
    const before = prev;
    prev = sel.value;
    commit(sel.value === '' ? null : sel.value, () => { sel.value = prev = before; });
  });
  return { row: labelled(key, label, hint, sel), set };
}
