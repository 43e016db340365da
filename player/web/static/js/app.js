// The phone page: wires the screens, the hash router and the live connection.

import * as album from './album.js';
import { get } from './api.js';
import { refreshAll } from './dlbutton.js';
import * as dl from './dlstate.js';
import * as downloads from './downloads.js';
import { $, $$, debounce } from './dom.js';
import { placeIcons } from './icons.js';
import * as library from './library.js';
import { reconnectNow, startLive } from './live.js';
import * as nowplaying from './nowplaying.js';
import * as pairing from './pairing.js';
import * as queue from './queue.js';
import { applyRooms } from './roomchip.js';
import { emit, on, set, state } from './state.js';
import { closeSheet, toast } from './ui.js';

/** A screen whose module loads when it is first opened (the first load of the page stays small). */
function lazy(load) {
  let view = null;
  return {
    init() {},
    async show(arg) {
      if (!view) {
        view = await load();
        view.init();
      }
      view.show(arg);
    },
  };
}

const VIEWS = {
  now: nowplaying, queue, library, album, downloads,
  settings: lazy(() => import('./settings.js')),
  playlists: lazy(() => import('./playlists.js').then((m) => m.listView)),
  playlist: lazy(() => import('./playlists.js').then((m) => m.detailView)),
  artists: lazy(() => import('./artists.js').then((m) => m.listView)),
  artist: lazy(() => import('./artists.js').then((m) => m.detailView)),
  radio: lazy(() => import('./radio.js').then((m) => m.view)),
  alarms: lazy(() => import('./alarms.js').then((m) => m.view)),
  rooms: lazy(() => import('./rooms.js').then((m) => m.view)),
};
const LIBRARY_VIEWS = ['album', 'playlists', 'playlist', 'artists', 'artist', 'radio'];
const TAB_OF = { ...Object.fromEntries(LIBRARY_VIEWS.map((name) => [name, 'library'])), alarms: 'now', rooms: 'now' };

function route() {
  closeSheet();
  const m = location.hash.match(/^#\/([a-z]+)(?:\/(.*))?$/);
  let name = m ? m[1] : 'now';
  if (!VIEWS[name] || (name === 'downloads' && !state.features.downloads)) name = 'now';
  const arg = m && m[2] ? decodeURIComponent(m[2]) : '';
  const changed = state.route.name !== name;
  state.route = { name, arg };
  for (const section of $$('.view')) section.hidden = section.dataset.view !== name;
  for (const a of $$('.tabs a')) {
    const active = a.dataset.tab === (TAB_OF[name] || name);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.body.dataset.view = name;
  VIEWS[name].show?.(arg);
  if (changed) window.scrollTo(0, 0);
}

/** Find out which optional features this speaker has (404/503 hide them) and load the downloads. */
async function probeDownloads() {
  try {
    await dl.refresh();
    state.features.downloads = true;
  } catch (err) {
    state.features.downloads = false;
    if (!err.missing && err.status !== 401) toast(err.message);
  }
  document.body.classList.toggle('has-downloads', state.features.downloads);
  set('features', state.features);
  refreshAll();
  if (location.hash.startsWith('#/downloads') && state.route.name !== 'downloads') route();
}

async function loadHealth() {
  try {
    set('health', await get('/health'));
    if (state.health.name) document.title = state.health.name + ' · tapedeck';
  } catch {
    /* the WebSocket's own reconnect reports the outage */
  }
}

const albumChanged = debounce((id) => {
  library.albumChanged(id);
  album.albumChanged(id);
}, 500);

function onDownload(event, d) {
  dl.apply(event, d);
  refreshAll();
  if ((event === 'completed' || event === 'deleted') && d.album_id) albumChanged(d.album_id);
}

function renderCounts(c) {
  const badge = $('#tab-downloads-count');
  const n = (c.active_count || 0) + (c.queued_count || 0);
  badge.textContent = n ? String(n) : '';
  badge.hidden = !n;
  // The badge is only seen: the tab keeps its name "Downloads" and says the count as a description.
  const tab = badge.closest('a');
  if (n) tab.setAttribute('aria-description', `${n} in progress or queued`);
  else tab.removeAttribute('aria-description');
}

function renderConn(conn) {
  const bar = $('#conn');
  bar.hidden = conn === 'live';
  bar.textContent = conn === 'offline' ? 'Speaker unreachable: reconnecting…' : 'Connecting to the speaker…';
}

function main() {
  placeIcons();
  for (const view of Object.values(VIEWS)) view.init();
  pairing.init(() => {
    reconnectNow();
    probeDownloads();
    loadHealth();
  });
  on('counts', renderCounts);
  on('conn', renderConn);
  window.addEventListener('hashchange', route);
  route();
  startLive({
    snapshot: () => {
      probeDownloads();
      loadHealth();
      if (state.route.name === 'settings') VIEWS.settings.show(); // reads the cache figures again
      emit('features');
    },
    download: onDownload,
    rooms: applyRooms,
    cache: (msg) => {
      if (msg.cache) set('cache', { ...(state.cache || {}), ...msg.cache });
    },
    error: (err) => toast(err.message || 'The speaker reported an error.'),
    message: (text) => text && toast(text, 'info'), // a DisplayMessage sent from a Jellyfin app
  });
}

main();
