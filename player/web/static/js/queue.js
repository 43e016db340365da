// The queue screen: the current entry marked; jump, remove, and reorder by dragging a handle
// (pointer events) or with the up/down buttons. Windowed: only the rows on screen (and a margin)
// are in the DOM, the list's padding stands for the rest, so 20,000 entries scroll like 20.

import { del, post } from './api.js';
import { cover } from './cover.js';
import { $, fill, h } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { queueReply, reread } from './queuestate.js';
import { on, set, state } from './state.js';
import { empty, run, sheet } from './ui.js';

const MARGIN = 10; // rows rendered beyond each edge of the screen (fewer to make on a jump)
const SLACK = 4; // how near an edge of the rendered rows the screen may come before re-rendering
let list;
let summary;
let clearBtn;
let dragging = null;
let pending = null; // a queue that arrived during a drag, applied after the drop
let rowHeight = 0; // measured from the first row rendered (all rows are one height)
let shown = { start: 0, end: 0, queue: null }; // the rows in the DOM, of which queue
let frame = 0;

function row(entry, i, current) {
  const t = entry.item;
  const jump = (e) => jumpTo(e.currentTarget, i);
  const li = h('li', { class: 'q-row' + (current ? ' current' : ''), dataset: { entryId: entry.entry_id }, 'aria-current': current ? 'true' : null },
    h('span', { class: 'q-handle', 'aria-hidden': 'true', title: 'Drag to reorder' }, icon('grip')),
    h('button', { class: 'q-main', type: 'button', onclick: jump, 'aria-label': `Play ${t.title}` },
      h('span', { class: 'q-art' }, cover(t.album_id, t.album, 'sm'), current ? h('span', { class: 'eq', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')) : null),
      h('span', { class: 'q-text' },
        h('span', { class: 'q-title', text: t.title }),
        h('span', { class: 'q-sub', text: fmt.artists(t.artists) + ' · ' + fmt.clock(t.duration) }))),
    h('button', { class: 'icon-btn sm q-up', type: 'button', 'aria-label': `Move ${t.title} up`, disabled: i === 0, onclick: (e) => move(e.currentTarget, i, i - 1) }, icon('up')),
    h('button', { class: 'icon-btn sm q-down', type: 'button', 'aria-label': `Move ${t.title} down`, disabled: i === state.queue.entries.length - 1, onclick: (e) => move(e.currentTarget, i, i + 1) }, icon('down')),
    h('button', { class: 'icon-btn sm q-remove', type: 'button', 'aria-label': `Remove ${t.title} from the queue`, onclick: (e) => remove(e.currentTarget, entry) }, icon('close')));
  li.querySelector('.q-handle').addEventListener('pointerdown', (e) => startDrag(e, li, i));
  return li;
}

function render(queue) {
  if (dragging) {
    pending = queue;
    return;
  }
  const entries = (queue && queue.entries) || [];
  clearBtn.hidden = !entries.length;
  if (!entries.length) {
    summary.textContent = '';
    list.style.padding = '';
    shown = { start: 0, end: 0, queue };
    fill(list, empty('queue', 'The queue is empty', 'Play an album from the Library, or use “Add to queue” on any track.', { href: '#/library', label: 'Open Library' }));
    return;
  }
  let total = 0;
  for (const e of entries) total += e.item.duration || 0;
  summary.textContent = fmt.plural(entries.length, 'track') + ' · ' + fmt.length(total);
  renderWindow(queue, true);
}

/** The rows that should be in the DOM: the screen's, plus MARGIN each side. */
function wanted(count) {
  const height = rowHeight || 59;
  const top = window.scrollY - (list.getBoundingClientRect().top + window.scrollY);
  const first = Math.max(0, Math.floor(top / height));
  const last = Math.min(count, Math.ceil((top + window.innerHeight) / height));
  return { first, last, start: Math.max(0, first - MARGIN), end: Math.min(count, Math.max(last, first + 1) + MARGIN) };
}

function renderWindow(queue, force) {
  const entries = queue.entries;
  const want = wanted(entries.length);
  const same = shown.queue === queue;
  const topCovered = shown.start === 0 || want.first >= shown.start + SLACK;
  const bottomCovered = shown.end === entries.length || want.last <= shown.end - SLACK;
  if (!force && same && topCovered && bottomCovered) return;
  let made = want;
  if (!force && same && want.start < shown.end && want.end > shown.start) slide(queue, want);
  else {
    // A jump (or a new queue): the rows on screen now, the margins in the next frame. A flick
    // jumps every frame, and the margin rows of each jump would be made only to be flown past.
    made = { start: want.first, end: Math.max(want.last, want.first + 1) };
    fill(list, rowsFor(queue, made.start, made.end));
    if (made.start > want.start || made.end < want.end) onScroll();
  }
  shown = { start: made.start, end: made.end, queue };
  if (!rowHeight && list.firstElementChild) rowHeight = list.firstElementChild.getBoundingClientRect().height || 0;
  const height = rowHeight || 59;
  list.style.paddingTop = made.start * height + 'px';
  list.style.paddingBottom = (entries.length - made.end) * height + 'px';
}

function rowsFor(queue, start, end) {
  const rows = [];
  for (let i = start; i < end; i++) rows.push(row(queue.entries[i], i, i === queue.index));
  return rows;
}

/** Scrolled within the same queue: rows still in the window stay (their covers loaded), only
 * the rows that scrolled out leave and those that scrolled in are made. */
function slide(queue, want) {
  for (let i = shown.start; i < want.start; i++) list.firstElementChild?.remove();
  for (let i = want.end; i < shown.end; i++) list.lastElementChild?.remove();
  if (want.start < shown.start) list.prepend(...rowsFor(queue, want.start, shown.start));
  if (want.end > shown.end) list.append(...rowsFor(queue, shown.end, want.end));
}

function onScroll() {
  if (frame || dragging || !state.queue || !state.queue.entries.length) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    if (state.route.name === 'queue' && !dragging && state.queue) renderWindow(state.queue, false);
  });
}

async function jumpTo(control, index) {
  const res = await run(control, () => post('/queue/jump', { index }));
  if (res) set('player', res);
}

async function remove(control, entry) {
  const before = state.queue;
  control.closest('.q-row')?.classList.add('leaving');
  const res = await run(control, () => del('/queue/' + encodeURIComponent(entry.entry_id)), { onError: () => render(before) });
  queueReply(res);
}

/** Move optimistically: the list shows the new order at once and reverts if the speaker refuses. */
async function move(control, from, to) {
  const before = state.queue;
  if (!before || to < 0 || to >= before.entries.length || from === to) return;
  const entries = before.entries.slice();
  const [entry] = entries.splice(from, 1);
  entries.splice(to, 0, entry);
  const current = before.index == null ? null : before.entries[before.index].entry_id;
  const index = current == null ? null : entries.findIndex((e) => e.entry_id === current);
  state.queue = { ...before, entries, index };
  render(state.queue);
  const res = await run(control, () => post('/queue/' + encodeURIComponent(entry.entry_id) + '/move', { to }), {
    onError: () => { set('queue', before); reread(); },
  });
  queueReply(res);
  const moved = list.querySelector(`[data-entry-id="${CSS.escape(entry.entry_id)}"] .${control.classList.contains('q-up') ? 'q-up' : 'q-down'}`);
  if (moved && !moved.disabled && control.classList.contains('icon-btn')) moved.focus({ preventScroll: true });
}

function startDrag(e, li, from) {
  if (e.button > 0) return;
  e.preventDefault();
  const handle = e.currentTarget;
  handle.setPointerCapture(e.pointerId);
  const rows = [...list.children];
  const first = shown.start; // rows[k] is the entry at first + k
  const count = state.queue.entries.length;
  const height = li.getBoundingClientRect().height;
  const y0 = e.clientY;
  dragging = { to: from };
  li.classList.add('dragging');
  const onMove = (ev) => {
    const dy = ev.clientY - y0;
    li.style.transform = `translateY(${dy}px)`;
    const to = Math.max(0, Math.min(count - 1, from + Math.round(dy / height)));
    dragging.to = to;
    rows.forEach((r, k) => {
      const i = first + k;
      if (r === li) return;
      const shift = from < to && i > from && i <= to ? -height : from > to && i >= to && i < from ? height : 0;
      r.style.transform = shift ? `translateY(${shift}px)` : '';
    });
    autoScroll(ev.clientY);
  };
  const onUp = () => {
    handle.removeEventListener('pointermove', onMove);
    handle.removeEventListener('pointerup', onUp);
    handle.removeEventListener('pointercancel', onUp);
    const to = dragging.to;
    dragging = null;
    for (const r of rows) r.style.transform = '';
    li.classList.remove('dragging');
    if (pending) {
      state.queue = pending;
      pending = null;
    }
    if (to !== from) move(handle, from, to);
    else render(state.queue);
  };
  handle.addEventListener('pointermove', onMove);
  handle.addEventListener('pointerup', onUp);
  handle.addEventListener('pointercancel', onUp);
}

function autoScroll(y) {
  const edge = 72;
  if (y < edge) window.scrollBy(0, -8);
  else if (y > window.innerHeight - edge - 120) window.scrollBy(0, 8);
}

function confirmClear() {
  sheet('Clear the queue?', 'Playback stops and every entry is removed.', [
    { label: 'Clear queue', icon: 'trash', danger: true, run: async () => {
      const res = await run(clearBtn, () => del('/queue'));
      queueReply(res);
    } },
  ]);
}

export function init() {
  const root = $('#view-queue');
  summary = h('p', { class: 'view-sub', id: 'queue-summary' });
  clearBtn = h('button', { class: 'btn ghost sm', type: 'button', onclick: confirmClear, text: 'Clear' });
  list = h('ol', { id: 'queue-list', class: 'q-list' });
  fill(root, h('header', { class: 'view-head' }, h('div', {}, h('h2', { text: 'Queue' }), summary), clearBtn), list);
  on('queue', render);
  window.addEventListener('scroll', onScroll, { passive: true });
  window.addEventListener('resize', onScroll, { passive: true });
  // The current mark follows the player even when only the index moved (a track ended).
  on('player', (p) => {
    const q = state.queue;
    if (q && p && p.queue_index !== q.index) {
      state.queue = { ...q, index: p.queue_index };
      render(state.queue);
    }
  });
  render(null);
}

export function show() {
  if (state.queue) render(state.queue); // the window is measured on screen, not while hidden
}
