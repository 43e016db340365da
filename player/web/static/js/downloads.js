// The Downloads screen: Active and Completed tabs, a row per download with its progress, speed and
// actions, and the bulk actions.

import { del, enc, post } from './api.js';
import * as dl from './dlstate.js';
import { $, fill, h, text } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { on } from './state.js';
import { empty, run, toast } from './ui.js';

const STATUS = {
  pending: 'Queued', downloading: 'Downloading', paused: 'Paused', failed: 'Failed', completed: 'Downloaded',
};
let tab = 'active';
let list;
let tabs = {};
let bulk;
const rows = new Map(); // id -> {el, parts}

function actionsFor(d) {
  const a = (verb, iconName, label, cls = '') => h('button', {
    class: 'icon-btn sm ' + cls, type: 'button', 'aria-label': `${label} ${d.title}`, title: label, dataset: { action: verb },
    onclick: (e) => act(e.currentTarget, d.id, verb),
  }, icon(iconName));
  switch (d.status) {
    case 'downloading':
    case 'pending':
      // A transfer its source runs by itself (slskd) cannot pause: only Cancel is offered.
      if (d.can_pause === false) return [a('cancel', 'close', 'Cancel')];
      return [a('pause', 'pausesm', 'Pause'), a('cancel', 'close', 'Cancel')];
    case 'paused':
      return [a('resume', 'download', 'Resume'), a('cancel', 'close', 'Cancel')];
    case 'failed':
      return [a('resume', 'retry', 'Retry'), a('cancel', 'close', 'Cancel')];
    default:
      return [a('delete', 'trash', 'Delete', 'danger')];
  }
}

async function act(control, id, verb) {
  const d = dl.byId.get(id);
  if (!d) return;
  if (verb === 'delete') {
    const ok = await run(control, () => del('/downloads/' + enc(id)));
    if (ok !== undefined) dl.remove(d);
    return;
  }
  const since = dl.mark();
  const res = await run(control, () => post(`/downloads/${enc(id)}/${verb}`));
  if (res) dl.put(res, since);
}

function detail(d) {
  if (d.status === 'completed') return fmt.bytes(d.file_size || d.bytes_downloaded);
  const size = d.file_size ? fmt.bytes(d.bytes_downloaded || 0) + ' of ' + fmt.bytes(d.file_size) : fmt.bytes(d.bytes_downloaded || 0);
  const bps = d.status === 'downloading' ? dl.speedOf(d.id) : 0;
  return size + (bps > 0 ? ' · ' + fmt.speed(bps) : '');
}

function note(d) {
  if (d.status === 'failed') return d.error_message || 'The download failed.';
  if (d.wait_reason && d.status !== 'completed') return 'Waiting: ' + d.wait_reason;
  if (d.origin === 'auto' && d.status !== 'completed') return 'Fetched ahead for your queue';
  return '';
}

function makeRow(d) {
  const parts = {
    status: h('span', { class: 'dl-status' }),
    detail: h('span', { class: 'dl-detail' }),
    bar: h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-label': 'Progress of ' + d.title }, h('span')),
    note: h('p', { class: 'dl-note' }),
    actions: h('div', { class: 'dl-actions' }),
  };
  const el = h('li', { class: 'dl-row', dataset: { id: String(d.id) } },
    h('div', { class: 'dl-body' },
      h('div', { class: 'dl-title', text: d.title || d.item_id }),
      h('div', { class: 'dl-sub', text: d.album || '' }),
      h('div', { class: 'dl-meta' }, parts.status, parts.detail),
      parts.bar, parts.note),
    parts.actions);
  return { el, parts, actionsKey: '' };
}

function paintRow(r, d) {
  r.el.dataset.status = d.status;
  text(r.parts.status, STATUS[d.status] || d.status);
  text(r.parts.detail, detail(d));
  const pct = Math.round((d.status === 'completed' ? 1 : d.progress || 0) * 100);
  r.parts.bar.firstChild.style.width = pct + '%';
  r.parts.bar.setAttribute('aria-valuenow', String(pct));
  r.parts.bar.hidden = d.status === 'completed';
  const n = note(d);
  text(r.parts.note, n);
  r.parts.note.hidden = !n;
  if (r.actionsKey !== d.status) {
    r.actionsKey = d.status;
    fill(r.parts.actions, actionsFor(d));
  }
}

function visible() {
  const all = [...dl.byId.values()];
  const pick = tab === 'active' ? all.filter(dl.isActive) : all.filter((d) => d.status === 'completed');
  const order = { downloading: 0, pending: 1, paused: 2, failed: 3 };
  return pick.sort(tab === 'active'
    ? (a, b) => (order[a.status] - order[b.status]) || (b.priority || 0) - (a.priority || 0) || String(a.queued_at).localeCompare(String(b.queued_at))
    : (a, b) => String(b.completed_at).localeCompare(String(a.completed_at)));
}

function render() {
  if (!list) return;
  const all = [...dl.byId.values()];
  const active = all.filter(dl.isActive).length;
  const done = all.filter((d) => d.status === 'completed').length;
  text(tabs.active.querySelector('.count'), active ? String(active) : '');
  text(tabs.completed.querySelector('.count'), done ? String(done) : '');
  renderBulk(all);
  const items = visible();
  if (!items.length) {
    rows.clear();
    fill(list, tab === 'active'
      ? empty('download', 'Nothing downloading', 'Tap the download button on an album or a track to keep it on the speaker. It then plays even without Wi-Fi.', { href: '#/library', label: 'Browse the library' })
      : empty('check', 'No finished downloads', 'Downloaded music appears here. It plays from the speaker itself, even when the server is away.'));
    return;
  }
  const keep = new Set(items.map((d) => d.id));
  for (const id of rows.keys()) if (!keep.has(id)) rows.delete(id);
  const els = items.map((d) => {
    let r = rows.get(d.id);
    if (!r) rows.set(d.id, (r = makeRow(d)));
    paintRow(r, d);
    return r.el;
  });
  // Reorder only when needed, so progress updates do not rebuild the list.
  const same = els.length === list.children.length && els.every((el, i) => list.children[i] === el);
  if (!same) list.replaceChildren(...els);
}

function renderBulk(all) {
  const has = (s) => all.some((d) => d.status === s);
  const pausable = all.some((d) => (d.status === 'downloading' || d.status === 'pending') && d.can_pause !== false);
  const b = (id, label, iconName, enabledNow, path) => h('button', {
    id, class: 'btn ghost sm', type: 'button', disabled: !enabledNow,
    onclick: (e) => bulkAction(e.currentTarget, path, label),
  }, icon(iconName), h('span', { text: label }));
  const key = tab + pausable + has('paused') + has('failed') + has('completed');
  if (bulk.dataset.key === key) return;
  bulk.dataset.key = key;
  fill(bulk, tab === 'active'
    ? [b('pause-all', 'Pause all', 'pausesm', pausable, '/downloads/pause-all'),
      b('resume-all', 'Resume all', 'download', has('paused') || has('failed'), '/downloads/resume-all')]
    : [b('clear-completed', 'Clear completed', 'check', has('completed'), '/downloads/clear-completed')]);
}

async function bulkAction(control, path, label) {
  const res = await run(control, () => post(path));
  if (!res) return;
  // The events say what changed; the list is reloaded once so nothing is missed.
  await run(null, dl.refresh);
  toast(`${label}: ${fmt.plural(res.affected ?? 0, 'download')}`, 'info');
}

function selectTab(name) {
  tab = name;
  for (const [key, el] of Object.entries(tabs)) el.setAttribute('aria-selected', String(key === name));
  list.dataset.tab = name;
  bulk.dataset.key = '';
  rows.clear();
  list.replaceChildren();
  render();
}

export function init() {
  const root = $('#view-downloads');
  const mk = (name, label) => h('button', { id: 'tab-' + name, class: 'seg', role: 'tab', type: 'button', onclick: () => selectTab(name) },
    h('span', { text: label }), h('span', { class: 'count' }));
  tabs = { active: mk('active', 'Active'), completed: mk('completed', 'Completed') };
  bulk = h('div', { class: 'bulk' });
  list = h('ul', { id: 'downloads-list', class: 'dl-list' });
  fill(root,
    h('header', { class: 'view-head' }, h('h2', { text: 'Downloads' })),
    h('div', { class: 'segmented', role: 'tablist' }, tabs.active, tabs.completed),
    bulk, list);
  on('downloads', render);
  selectTab('active');
}

export function show(arg) {
  if (arg === 'completed' || arg === 'active') selectTab(arg);
  else render();
}
