// Playlists: the list (a server's and the music folder's .m3u files) and a playlist's page with
// play, add to queue, download and its tracks in order.

import { enc, get, post } from './api.js';
import { cover } from './cover.js';
import * as dl from './dlstate.js';
import { refreshAll } from './dlbutton.js';
import { $, fill, h } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { linkRow } from './links.js';
import { backTo, duration, hero, listScreen } from './shelf.js';
import { currentItemId, on } from './state.js';
import { enqueue, trackRow } from './tracks.js';
import { empty, run, sheet, toast } from './ui.js';

const SOURCES = { jellyfin: 'Jellyfin', subsonic: 'Subsonic', local: 'Music folder' };

function facts(p) {
  return [fmt.plural(p.track_count, 'track'), duration(p.duration), SOURCES[p.source] || p.source];
}

function playlistRow(p) {
  return linkRow('#/playlist/' + enc(p.id), 'playlist', p.name, facts(p).filter(Boolean).join(' · '), { playlistId: p.id });
}

export const listView = listScreen('view-playlists', 'Playlists', {
  id: 'playlist-list', path: '/library/playlists', row: playlistRow,
  label: (n) => fmt.plural(n, 'playlist'),
  none: ['playlist', 'No playlists yet', 'Playlists of your Jellyfin server and .m3u files in the music folder show here.'],
});

let root;
let shown = null;
let shownId = null;

async function download(btn, p) {
  const since = dl.mark();
  const res = await run(btn, () => post('/downloads/playlist', { playlist_id: p.id }));
  if (!res) return;
  for (const d of res.downloads || []) dl.put(d, since);
  refreshAll();
  const n = (res.downloads || []).length;
  toast(n ? `${fmt.plural(n, 'track')} downloading to the speaker` : 'This playlist is on the speaker already.', 'info');
}

function actions(p) {
  const body = { playlist_id: p.id };
  return [
    h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Add playlist to queue', onclick: (e) => enqueue(e.currentTarget, body, 'append', 'Playlist added to the queue') }, icon('queue')),
    h('button', { id: 'playlist-play', class: 'btn primary', type: 'button', onclick: (e) => enqueue(e.currentTarget, body, 'replace') }, icon('play'), h('span', { text: 'Play' })),
    p.source !== 'local' ? h('button', { id: 'playlist-download', class: 'icon-btn needs-downloads', type: 'button', 'aria-label': 'Download playlist', onclick: (e) => download(e.currentTarget, p) }, icon('download')) : null,
    h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'More playlist actions', onclick: () => sheet(p.name, 'Playlist', [
      { label: 'Play next', icon: 'next_up', run: () => enqueue(null, body, 'next', 'The playlist plays next') },
      { label: 'Add to queue', icon: 'plus', run: () => enqueue(null, body, 'append', 'Playlist added to the queue') },
    ]) }, icon('more')),
  ];
}

function render() {
  const p = shown;
  const playing = currentItemId();
  const skipped = p.skipped ? h('p', { class: 'c-note', text: `${fmt.plural(p.skipped, 'line')} of the file could not be used (outside the music folder, a stream, or not audio).` }) : null;
  const rows = p.entries.map((t, i) => trackRow(t, {
    play: (c) => enqueue(c, { playlist_id: p.id, start_index: i }, 'replace'),
    lead: cover(t.album_id, t.album, 'sm'),
    sub: fmt.artists(t.artists) + ' · ' + t.album,
    current: t.id === playing,
  }));
  fill(root, backTo('#/playlists', 'Back to the playlists'), hero('playlist', p.name, facts(p), actions(p)), skipped,
    rows.length ? h('ul', { class: 't-list', id: 'playlist-tracks' }, rows)
      : empty('playlist', 'Nothing to play', 'None of this playlist’s tracks is in the library.'));
}

export const detailView = {
  init() {
    root = $('#view-playlist');
    let lastItem = null;
    on('player', (pl) => {
      const id = pl && pl.item ? pl.item.id : null;
      if (id !== lastItem) {
        lastItem = id;
        if (shown && !root.hidden) render();
      }
    });
  },
  async show(id) {
    if (id === shownId && shown) return render();
    shownId = id;
    shown = null;
    fill(root, backTo('#/playlists', 'Back to the playlists'), h('div', { class: 'album-hero' }, h('div', { class: 'c-hero-badge' })));
    try {
      const p = await get('/library/playlists/' + enc(id));
      if (shownId !== id) return;
      shown = { ...p, entries: p.entries || [] };
      render();
    } catch (err) {
      fill(root, empty('alert', err.missing ? 'Playlist not found' : 'The playlist could not be loaded', err.message, { href: '#/playlists', label: 'Back to the playlists' }));
    }
  },
};
