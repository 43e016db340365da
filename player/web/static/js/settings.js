// Settings: storage used against the limit, the cache settings (PATCH /cache/config), the network,
// the device and pairing.

import { get, patch, setToken, token } from './api.js';
import { $, fill, h, text } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { on, set, state } from './state.js';
import { run, toast } from './ui.js';

const GB = 1e9;
const NET = { ethernet: 'Ethernet', wifi: 'Wi-Fi', cellular: 'Mobile data', offline: 'Offline' };
const KNOWN = {
  wifi_only: ['Download on Wi-Fi only', 'Never use mobile or metered connections for downloads.'],
  queue_precache_enabled: ['Fetch upcoming tracks', 'Download what is next in the queue before it plays.'],
  queue_precache_count: ['Tracks to fetch ahead', 'How far down the queue to look.', 1, 50],
  album_affinity_enabled: ['Keep whole albums', 'After several tracks of an album were played, download the rest of it.'],
  album_affinity_threshold: ['Tracks before keeping an album', 'Plays from one album that make it worth keeping.', 1, 50],
};
const SIZES = [1, 2, 5, 10, 20, 50, 100, 200].map((g) => g * GB);
const FREE = [0.2, 0.5, 1, 2, 5, 10].map((g) => g * GB);
let root;
let storage;
let form;
let device;
let pairing;

function human(key) {
  const s = key.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

async function save(control, key, value, revert) {
  const res = await run(control, () => patch('/cache/config', { [key]: value }), { onError: revert });
  if (!res) return;
  set('cache', { ...(state.cache || {}), config: res });
  control.closest('.set-row')?.classList.add('saved');
  setTimeout(() => control.closest('.set-row')?.classList.remove('saved'), 900);
}

function toggle(key, value, label, hint) {
  const input = h('input', { type: 'checkbox', role: 'switch', id: 'cfg-' + key, class: 'switch' });
  input.checked = Boolean(value);
  input.addEventListener('change', () => save(input, key, input.checked, () => { input.checked = !input.checked; }));
  return h('label', { class: 'set-row', for: 'cfg-' + key },
    h('span', { class: 'set-text' }, h('span', { class: 'set-label', text: label }), hint ? h('span', { class: 'set-hint', text: hint }) : null),
    input);
}

function stepper(key, value, label, hint, min = 0, max = 1000) {
  const out = h('output', { class: 'step-val', id: 'cfg-' + key, text: String(value) });
  let current = value;
  const change = (delta, control) => {
    const next = Math.max(min, Math.min(max, current + delta));
    if (next === current) return;
    const prev = current;
    current = next;
    text(out, String(next));
    save(control, key, next, () => { current = prev; text(out, String(prev)); });
  };
  return h('div', { class: 'set-row' },
    h('span', { class: 'set-text' }, h('span', { class: 'set-label', text: label }), hint ? h('span', { class: 'set-hint', text: hint }) : null),
    h('span', { class: 'stepper' },
      h('button', { class: 'icon-btn sm', type: 'button', 'aria-label': 'Fewer: ' + label, onclick: (e) => change(-1, e.currentTarget) }, h('span', { class: 'minus' })),
      out,
      h('button', { class: 'icon-btn sm', type: 'button', 'aria-label': 'More: ' + label, onclick: (e) => change(1, e.currentTarget) }, icon('plus'))));
}

function sizeSelect(key, value, label, hint, choices) {
  const sel = h('select', { id: 'cfg-' + key, class: 'select', 'aria-label': label });
  const values = [...new Set([...choices, value])].sort((a, b) => a - b);
  for (const v of values) sel.append(h('option', { value: String(v), text: fmt.bytes(v) }));
  sel.value = String(value);
  let prev = sel.value;
  sel.addEventListener('change', () => {
    const chosen = sel.value;
    save(sel, key, Number(chosen), () => { sel.value = prev; });
    prev = chosen;
  });
  return h('div', { class: 'set-row' },
    h('span', { class: 'set-text' }, h('span', { class: 'set-label', text: label }), h('span', { class: 'set-hint', text: hint })), sel);
}

function renderStorage(c) {
  if (!c || c.used_bytes == null) {
    storage.hidden = true;
    return;
  }
  storage.hidden = false;
  const limit = c.limit_bytes || (c.config && c.config.storage_limit) || 0;
  const pct = limit ? Math.min(100, (c.used_bytes / limit) * 100) : 0;
  const bar = h('div', { class: 'bar big', role: 'progressbar', 'aria-label': 'Storage used', 'aria-valuenow': String(Math.round(pct)), 'aria-valuemin': '0', 'aria-valuemax': '100' }, h('span'));
  bar.firstChild.style.width = pct.toFixed(1) + '%';
  bar.dataset.level = pct > 90 ? 'high' : pct > 70 ? 'mid' : 'low';
  const facts = [c.items != null ? fmt.plural(c.items, 'track') + ' kept' : null,
    c.pinned_items ? c.pinned_items + ' downloaded by you' : null,
    c.disk_free_bytes != null ? fmt.bytes(c.disk_free_bytes) + ' free on the disk' : null].filter(Boolean).join(' · ');
  fill(storage,
    h('h3', { class: 'set-title' }, icon('storage'), h('span', { text: 'Storage' })),
    h('div', { class: 'card-box' },
      h('p', { class: 'storage-figures' }, h('strong', { id: 'storage-used', text: fmt.bytes(c.used_bytes) }), h('span', { text: ' of ' + fmt.bytes(limit) + ' used' })),
      bar, h('p', { class: 'set-hint', text: facts })));
}

let shownConfig = '';
function renderConfig(config) {
  if (!config) {
    form.hidden = true;
    shownConfig = '';
    return;
  }
  // Cache events also carry figures; rebuild the controls only when a setting changed.
  const key = JSON.stringify(config);
  if (key === shownConfig) return;
  shownConfig = key;
  form.hidden = false;
  const rows = [];
  for (const [key, spec] of Object.entries(KNOWN)) {
    if (!(key in config)) continue;
    rows.push(typeof config[key] === 'boolean' ? toggle(key, config[key], spec[0], spec[1]) : stepper(key, config[key], spec[0], spec[1], spec[2], spec[3]));
  }
  if ('storage_limit' in config) rows.push(sizeSelect('storage_limit', config.storage_limit, 'Storage limit', 'Older, unplayed downloads make room when it is reached.', SIZES));
  if ('min_free_bytes' in config) rows.push(sizeSelect('min_free_bytes', config.min_free_bytes, 'Keep free on the disk', 'Space left for the system.', FREE));
  // Settings the page has no special control for still get a plain one.
  for (const [key, value] of Object.entries(config)) {
    if (key in KNOWN || key === 'storage_limit' || key === 'min_free_bytes') continue;
    if (typeof value === 'boolean') rows.push(toggle(key, value, human(key)));
    else if (Number.isInteger(value)) rows.push(stepper(key, value, human(key), null, 0, 1e12));
  }
  fill(form, h('h3', { class: 'set-title' }, icon('download'), h('span', { text: 'Downloads' })), h('div', { class: 'card-box' }, rows));
}

function renderDevice() {
  const hth = state.health || {};
  const n = state.network;
  const line = (k, v) => (v ? h('div', { class: 'kv' }, h('span', { text: k }), h('strong', { text: v })) : null);
  fill(device,
    h('h3', { class: 'set-title' }, icon('deck'), h('span', { text: 'Speaker' })),
    h('div', { class: 'card-box' },
      line('Name', hth.name || location.hostname),
      line('Address', location.host),
      line('Version', hth.version),
      line('Connection', state.conn === 'live' ? 'Live' : 'Reconnecting…'),
      n && n.kind !== 'unknown' ? line('Network', n.kind === 'wifi' && n.ssid ? 'Wi-Fi “' + n.ssid + '”' : NET[n.kind] || n.kind) : null,
      n && n.kind !== 'unknown' ? line('Media server', n.server_reachable ? 'Reachable' : 'Not reachable') : null,
      n && n.reason ? h('p', { class: 'set-hint', text: n.reason }) : null));
}

function renderPairing() {
  const paired = Boolean(token());
  pairing.hidden = !paired && !state.features.pairing;
  if (pairing.hidden) return;
  fill(pairing,
    h('h3', { class: 'set-title' }, icon('link'), h('span', { text: 'Pairing' })),
    h('div', { class: 'card-box' },
      h('p', { class: 'set-hint', text: paired ? 'This phone is paired with the speaker.' : 'This speaker asks phones to pair before they control it.' }),
      paired ? h('button', { class: 'btn ghost', type: 'button', text: 'Forget this phone', onclick: () => { setToken(''); toast('This phone is no longer paired.', 'info'); location.reload(); } }) : null));
}

/** Load the cache figures; hide the sections when the speaker has no cache configured. */
export async function loadCache() {
  try {
    const c = await get('/cache');
    state.features.cache = true;
    set('cache', c);
  } catch (err) {
    state.features.cache = false;
    if (!err.missing && err.status !== 401) toast(err.message);
    set('cache', null);
  }
}

export function init() {
  root = $('#view-settings');
  storage = h('section', { id: 'set-storage', hidden: true });
  form = h('section', { id: 'set-cache', hidden: true });
  device = h('section', { id: 'set-device' });
  pairing = h('section', { id: 'set-pairing', hidden: true });
  fill(root, h('header', { class: 'view-head' }, h('h2', { text: 'Settings' })), storage, form, device, pairing);
  on('cache', (c) => { renderStorage(c); renderConfig(c && c.config); });
  for (const key of ['health', 'network', 'conn', 'features']) on(key, () => { renderDevice(); renderPairing(); });
  renderDevice();
}

export function show() {
  loadCache();
  renderDevice();
  renderPairing();
}
