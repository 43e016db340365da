// An album page: its cover, play/queue actions, the download button and its tracks.

import { enc, get } from './api.js';
import { cover } from './cover.js';
import { albumButton } from './dlbutton.js';
import { $, fill, h } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { artistLinks } from './links.js';
import { currentItemId, on } from './state.js';
import { enqueue, trackRow } from './tracks.js';
import { empty, sheet } from './ui.js';

let root;
let album = null;
let shownId = null;

function header(a) {
  const facts = [a.year, fmt.plural(a.tracks.length, 'track'), fmt.length(a.duration)].filter(Boolean).join(' · ');
  const playBtn = h('button', { id: 'album-play', class: 'btn primary', type: 'button', onclick: (e) => enqueue(e.currentTarget, { album_id: a.id }, 'replace') }, icon('play'), h('span', { text: 'Play' }));
  const more = h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'More album actions', onclick: () => albumMenu(a) }, icon('more'));
  return h('div', { class: 'album-hero' },
    cover(a.id, a.title, 'lg'),
    h('h2', { class: 'album-title', text: a.title }),
    h('p', { class: 'album-artists' }, artistLinks(a.artists)),
    h('p', { class: 'album-facts', text: facts }),
    h('div', { class: 'album-actions' },
      h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Add album to queue', onclick: (e) => enqueue(e.currentTarget, { album_id: a.id }, 'append', 'Album added to the queue') }, icon('queue')),
      playBtn,
      albumButton(a, a.tracks, 'lg'),
      more));
}

function albumMenu(a) {
  sheet(a.title, fmt.artists(a.artists), [
    { label: 'Play next', icon: 'next_up', run: () => enqueue(null, { album_id: a.id }, 'next', 'The album plays next') },
    { label: 'Add to queue', icon: 'plus', run: () => enqueue(null, { album_id: a.id }, 'append', 'Album added to the queue') },
  ]);
}

function tracksList(a) {
  const playing = currentItemId();
  const albumArtists = fmt.artists(a.artists);
  const multiDisc = new Set(a.tracks.map((t) => t.disc_number || 1)).size > 1;
  return h('ul', { class: 't-list', id: 'album-tracks' }, a.tracks.map((t, i) => {
    const number = (multiDisc ? (t.disc_number || 1) + '-' : '') + (t.track_number ?? i + 1);
    const who = fmt.artists(t.artists);
    return trackRow(t, {
      play: (c) => enqueue(c, { album_id: a.id, start_index: i }, 'replace'),
      lead: h('span', { class: 't-num', text: number }),
      sub: who !== albumArtists ? who : null,
      current: t.id === playing,
    });
  }));
}

function render() {
  if (!album) return;
  fill(root,
    h('header', { class: 'view-head compact' },
      h('a', { class: 'icon-btn', href: '#/library', 'aria-label': 'Back to the library' }, icon('back'))),
    header(album),
    tracksList(album));
}

export async function show(albumId) {
  if (albumId === shownId && album) return render();
  shownId = albumId;
  album = null;
  fill(root, h('header', { class: 'view-head compact' }, h('a', { class: 'icon-btn', href: '#/library', 'aria-label': 'Back to the library' }, icon('back'))),
    h('div', { class: 'album-hero' }, h('div', { class: 'cover cover-lg' })));
  try {
    const a = await get('/library/albums/' + enc(albumId));
    if (shownId !== albumId) return;
    album = { ...a, tracks: a.tracks || [] };
    render();
  } catch (err) {
    fill(root, empty('alert', err.missing ? 'Album not found' : 'The album could not be loaded', err.message, { href: '#/library', label: 'Back to the library' }));
  }
}

/** A download of this album changed: reload its availability (only when it is on screen). */
export async function albumChanged(albumId) {
  if (!album || album.id !== albumId || !root.isConnected || root.hidden) return;
  try {
    const a = await get('/library/albums/' + enc(albumId));
    if (album && album.id === albumId) {
      album = { ...a, tracks: a.tracks || [] };
      render();
    }
  } catch {
    /* keep what is shown */
  }
}

export function init() {
  root = $('#view-album');
  let lastItem = null;
  on('player', (p) => {
    const id = p && p.item ? p.item.id : null;
    if (id !== lastItem) {
      lastItem = id;
      if (album && !root.hidden) render();
    }
  });
}
