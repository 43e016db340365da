// Settings: storage used against the limit, the cache settings (each change PATCHes /cache/config at
// once), the network, the device and pairing. The figures and settings arrive with the events.

import { get, patch, setToken, token } from './api.js';
import { $, fill, h } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import * as C from './setcontrols.js';
import { on, set, state } from './state.js';
import { toast } from './ui.js';

const GB = 1e9;
const NET = { ethernet: 'Ethernet', wifi: 'Wi-Fi', cellular: 'Mobile data', offline: 'Offline' };
const SIZES = [1, 2, 5, 10, 20, 50, 100, 200].map((g) => g * GB);
const FREE = [0.2, 0.5, 1, 2, 5, 10].map((g) => g * GB);
const MINUTES = { min: 0, max: 1440, step: 1 };
const POLICIES = [['smart', 'Smart'], ['seed', 'Simple']];
const QUALITIES = [['off', 'Original file'], ['opus:96', 'Opus 96 kbps'], ['opus:128', 'Opus 128 kbps'],
  ['opus:160', 'Opus 160 kbps'], ['mp3:192', 'MP3 192 kbps'], ['mp3:320', 'MP3 320 kbps'], ['aac:256', 'AAC 256 kbps']];
const AUTO_QUALITIES = [['', 'By storage (Opus 128 under 32 GB)'], ...QUALITIES];

// [key, card, control, label, hint, extra, policy]: `policy` names the only policy that uses it.
const FIELDS = [
  ['storage_limit', 'storage', C.size, 'Storage limit', 'Older, unplayed downloads make room when it is reached.', SIZES],
  ['min_free_bytes', 'storage', C.size, 'Keep free on the disk', 'Space left for the system.', FREE],
  ['transcode', 'storage', C.select, 'Copies of my downloads', 'A smaller copy fits far more music; files already small are kept as they are.', QUALITIES],
  ['transcode_auto', 'storage', C.select, 'Copies of automatic downloads', 'What the pre-cacher keeps of upcoming tracks.', AUTO_QUALITIES],
  ['wifi_only', 'net', C.toggle, 'Download on Wi-Fi only', 'Never use mobile or metered connections for automatic downloads.'],
  ['pins_on_metered', 'net', C.toggle, 'My downloads on mobile data', 'Albums and tracks you download yourself may use a metered connection.'],
  ['stream_through', 'net', C.toggle, 'Keep what streams', 'A track that has to stream is saved as it plays, so a dead zone or a replay needs no network (on mobile data with Wi-Fi only, nothing is kept).'],
  ['max_concurrent_downloads', 'net', C.stepper, 'Downloads at once', 'Files fetched side by side.', [1, 8]],
  ['policy', 'pre', C.choice, 'Pre-cache policy', 'Smart keeps minutes of listening ready, more on Wi-Fi. Simple fetches a fixed number of tracks.', POLICIES],
  ['queue_precache_enabled', 'pre', C.toggle, 'Fetch upcoming tracks', 'Download what is next in the queue before it plays.'],
  ['lookahead_minutes_unmetered', 'pre', C.number, 'Minutes ahead on Wi-Fi', 'Listening kept ready on an unmetered network.', ['min', MINUTES], 'smart'],
  ['lookahead_minutes_metered', 'pre', C.number, 'Minutes ahead on mobile data', 'Used when Wi-Fi only is off.', ['min', MINUTES], 'smart'],
  ['whole_queue_on_unmetered', 'pre', C.toggle, 'Whole queue on Wi-Fi', 'When the speaker travels, take the whole queue while on Wi-Fi.', null, 'smart'],
  ['queue_precache_count', 'pre', C.stepper, 'Tracks to fetch ahead', 'How far down the queue to look.', [0, 50], 'seed'],
  ['album_affinity_enabled', 'pre', C.toggle, 'Keep whole albums', 'After several tracks of an album were played, download the rest of it.'],
  ['album_affinity_threshold', 'pre', C.stepper, 'Tracks before keeping an album', 'Plays from one album that make it worth keeping.', [1, 50]],
];
const LABELS = Object.fromEntries(FIELDS.map((f) => [f[0], f[3]]));

let storage;
let figures;
let cards = {};
let device;
let pairing;
let controls = new Map(); // key -> {row, set, policy}
const busy = new Set(); // keys with a PATCH on its way: the speaker's older word must not undo them

function human(key) {
  const s = key.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The API's message with field names replaced by the names a person sees on the page. */
function readable(message) {
  return String(message || 'The speaker refused the change.').replace(/'?\b([a-z]+(?:_[a-z]+)+)\b'?/g, (m, key) => LABELS[key] || human(key));
}

function showError(row, message) {
  const el = row.querySelector('.set-error');
  el.textContent = message || '';
  el.hidden = !message;
  row.classList.toggle('failed', Boolean(message));
}

async function save(key, value, revert) {
  const row = controls.get(key).row;
  busy.add(key);
  row.classList.remove('saved');
  row.classList.add('busy');
  row.setAttribute('aria-busy', 'true');
  showError(row, '');
  try {
    const config = await patch('/cache/config', { [key]: value });
    busy.delete(key);
    set('cache', { ...(state.cache || {}), config });
    row.classList.add('saved');
    setTimeout(() => row.classList.remove('saved'), 1200);
  } catch (err) {
    busy.delete(key);
    revert();
    if (err.status !== 401) showError(row, readable(err.message));
  } finally {
    row.classList.remove('busy');
    row.removeAttribute('aria-busy');
  }
}

function control(key, make, label, hint, extra, policy) {
  const commit = (value, revert) => save(key, value, revert);
  let c;
  if (make === C.stepper) c = C.stepper(key, label, hint, commit, ...(extra || [0, 1e12]));
  else if (make === C.number) c = C.number(key, label, hint, commit, ...(extra || ['', {}]));
  else if (make === C.toggle) c = C.toggle(key, label, hint, commit);
  else c = make(key, label, hint, commit, extra);
  return { ...c, policy };
}

let builtFor = '';
function build(config) {
  // Built once per set of fields, so a control keeps its focus, state and feedback across updates.
  const keys = Object.keys(config).sort().join(',');
  if (keys === builtFor) return;
  builtFor = keys;
  controls = new Map();
  const rows = { storage: [], net: [], pre: [] };
  for (const [key, card, make, label, hint, extra, policy] of FIELDS) {
    if (!(key in config)) continue;
    const c = control(key, make, label, hint, extra, policy);
    controls.set(key, c);
    rows[card].push(c.row);
  }
  // Settings the page has no special control for still get a plain one.
  for (const [key, value] of Object.entries(config)) {
    if (controls.has(key)) continue;
    const make = typeof value === 'boolean' ? C.toggle : Number.isInteger(value) ? C.stepper : null;
    if (!make) continue;
    const c = control(key, make, human(key), null, null);
    controls.set(key, c);
    rows.pre.push(c.row);
  }
  fill(cards.limits, rows.storage);
  fill(cards.net, h('h3', { class: 'set-title' }, icon('wifi'), h('span', { text: 'Downloads' })), h('div', { class: 'card-box' }, rows.net));
  fill(cards.pre, h('h3', { class: 'set-title' }, icon('download'), h('span', { text: 'Pre-cache' })), h('div', { class: 'card-box' }, rows.pre));
}

function renderConfig(config) {
  for (const card of [cards.net, cards.pre]) card.hidden = !config;
  if (!config) return;
  build(config);
  for (const [key, c] of controls) {
    if (!busy.has(key)) c.set(config[key]);
    c.row.hidden = Boolean(c.policy) && config.policy !== c.policy;
  }
}

function renderStorage(c) {
  storage.hidden = !c || c.used_bytes == null;
  if (storage.hidden) return;
  const limit = c.limit_bytes || (c.config && c.config.storage_limit) || 0;
  const pct = limit ? Math.min(100, (c.used_bytes / limit) * 100) : 0;
  const bar = h('div', { id: 'storage-bar', class: 'bar big', role: 'progressbar', 'aria-label': 'Storage used', 'aria-valuenow': String(Math.round(pct)), 'aria-valuemin': '0', 'aria-valuemax': '100' }, h('span'));
  bar.firstChild.style.width = pct.toFixed(1) + '%';
  bar.dataset.level = pct > 90 ? 'high' : pct > 70 ? 'mid' : 'low';
  const facts = [c.items != null ? fmt.plural(c.items, 'track') + ' kept' : null,
    c.pinned_items ? c.pinned_items + ' downloaded by you' : null].filter(Boolean).join(' · ');
  fill(figures,
    h('p', { class: 'storage-figures' }, h('strong', { id: 'storage-used', text: fmt.bytes(c.used_bytes) }),
      h('span', { text: ' of ' }), h('span', { id: 'storage-limit', text: fmt.bytes(limit) }), h('span', { text: ' used' })),
    bar,
    h('p', { class: 'storage-facts' },
      facts ? h('span', { id: 'storage-items', text: facts }) : null,
      c.disk_free_bytes != null ? h('span', { id: 'storage-free', text: fmt.bytes(c.disk_free_bytes) + ' free on the disk' }) : null),
    c.reasons && c.reasons.length ? h('p', { id: 'storage-reasons', class: 'storage-facts', text: 'Pre-cacher: ' + c.reasons.join(' · ') }) : null);
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
  figures = h('div', { id: 'storage-figures' });
  cards = { limits: h('div'), net: h('section', { id: 'set-net', hidden: true }), pre: h('section', { id: 'set-cache', hidden: true }) };
  storage = h('section', { id: 'set-storage', hidden: true },
    h('h3', { class: 'set-title' }, icon('storage'), h('span', { text: 'Storage' })),
    h('div', { class: 'card-box' }, figures, cards.limits));
  device = h('section', { id: 'set-device' });
  pairing = h('section', { id: 'set-pairing', hidden: true });
  fill($('#view-settings'), h('header', { class: 'view-head' }, h('h2', { text: 'Settings' })), storage, cards.net, cards.pre, device, pairing);
  on('cache', (c) => { renderConfig(c && c.config); renderStorage(c); });
  for (const key of ['health', 'network', 'conn', 'features']) on(key, () => { renderDevice(); renderPairing(); });
  renderDevice();
}

export function show() {
  loadCache();
  renderDevice();
  renderPairing();
}
