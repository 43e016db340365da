// Toasts, the action sheet and the command helper that gives feedback while a request runs.

import { h } from './dom.js';
import { icon } from './icons.js';

/** Show a short message; errors stay a little longer and are announced assertively. */
export function toast(message, kind = 'error') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: 'toast ' + kind, role: kind === 'error' ? 'alert' : 'status' },
    icon(kind === 'error' ? 'alert' : 'check'), h('span', { text: message }));
  box.append(el);
  setTimeout(() => el.classList.add('out'), kind === 'error' ? 5000 : 2500);
  setTimeout(() => el.remove(), kind === 'error' ? 5400 : 2900);
}

/**
 * Run a command: the control looks pressed until the speaker answered, and a failure shows the
 * API's message. Resolves to the result, or undefined when it failed.
 */
export async function run(control, fn, { onError } = {}) {
  if (control) {
    control.classList.add('busy');
    control.setAttribute('aria-busy', 'true');
  }
  try {
    return await fn();
  } catch (err) {
    if (onError) onError(err);
    if (err && err.status !== 401) toast(err.message || String(err));
    return undefined;
  } finally {
    if (control) {
      control.classList.remove('busy');
      control.removeAttribute('aria-busy');
    }
  }
}

let sheetClose = null;

/** A bottom action sheet: actions are {label, icon, run, danger}. */
export function sheet(title, subtitle, actions) {
  closeSheet();
  const root = document.getElementById('sheet');
  const list = h('div', { class: 'sheet-actions' });
  for (const action of actions) {
    list.append(h('button', {
      class: 'sheet-action' + (action.danger ? ' danger' : ''),
      onclick: () => { closeSheet(); action.run(); },
    }, icon(action.icon || 'plus'), h('span', { text: action.label })));
  }
  const panel = h('div', { class: 'sheet-panel', role: 'dialog', 'aria-modal': 'true', 'aria-label': title },
    h('div', { class: 'sheet-grab' }),
    h('div', { class: 'sheet-head' }, h('strong', { text: title }), subtitle ? h('span', { text: subtitle }) : null),
    list,
    h('button', { class: 'sheet-cancel', onclick: closeSheet, text: 'Cancel' }));
  root.replaceChildren(h('div', { class: 'sheet-backdrop', onclick: closeSheet }), panel);
  root.hidden = false;
  const onKey = (e) => { if (e.key === 'Escape') closeSheet(); };
  document.addEventListener('keydown', onKey);
  sheetClose = () => document.removeEventListener('keydown', onKey);
  requestAnimationFrame(() => root.classList.add('open'));
  list.querySelector('button')?.focus({ preventScroll: true });
}

export function closeSheet() {
  const root = document.getElementById('sheet');
  if (!root || root.hidden) return;
  root.classList.remove('open');
  root.hidden = true;
  root.replaceChildren();
  if (sheetClose) sheetClose();
  sheetClose = null;
}

/** An empty state that tells a person what to do next. */
export function empty(iconName, title, body, action) {
  return h('div', { class: 'empty' },
    h('div', { class: 'empty-icon' }, icon(iconName)),
    h('h3', { text: title }),
    h('p', { text: body }),
    action ? h('a', { class: 'btn', href: action.href, text: action.label }) : null);
}
