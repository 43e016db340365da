// Artists: the list (the names on every source's albums) and an artist's page with their albums,
// play all and add all to the queue.

import { enc, get } from './api.js';
import { $, fill, h } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { albumCard } from './library.js';
import { artistRow } from './links.js';
import { backTo, hero, listScreen } from './shelf.js';
import { enqueue } from './tracks.js';
import { empty, run, sheet } from './ui.js';

const PAGE = 60;

export const listView = listScreen('view-artists', 'Artists', {
  id: 'artist-list', path: '/library/artists', row: artistRow,
  label: (n) => fmt.plural(n, 'artist'),
  none: ['artist', 'No artists yet', 'The artists of your albums show here.'],
});

let root;
let shownId = null;
let albums = [];

function actions(a) {
  const body = { artist_id: a.id };
  return [
    h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Add all to queue', onclick: (e) => enqueue(e.currentTarget, body, 'append', 'Every album of the artist added to the queue') }, icon('queue')),
    h('button', { id: 'artist-play', class: 'btn primary', type: 'button', onclick: (e) => enqueue(e.currentTarget, body, 'replace') }, icon('play'), h('span', { text: 'Play all' })),
    h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'More artist actions', onclick: () => sheet(a.name, 'Artist', [
      { label: 'Play next', icon: 'next_up', run: () => enqueue(null, body, 'next', 'The artist plays next') },
      { label: 'Add to queue', icon: 'plus', run: () => enqueue(null, body, 'append', 'Every album of the artist added to the queue') },
    ]) }, icon('more')),
  ];
}

function render(a, grid, more) {
  fill(root, backTo('#/artists', 'Back to the artists'),
    hero('artist', a.name, [fmt.plural(a.album_count, 'album')], actions(a)),
    h('p', { class: 'section-label', text: 'Albums' }), grid, more);
}

async function loadMore(a, grid, more) {
  const page = await run(more, () => get(`/library/artists/${enc(a.id)}?offset=${albums.length}&limit=${PAGE}`));
  if (!page || shownId !== a.id) return;
  albums = albums.concat(page.albums || []);
  grid.append(...(page.albums || []).map(albumCard));
  more.hidden = albums.length >= a.album_count;
}

export const detailView = {
  init() { root = $('#view-artist'); },
  async show(id) {
    if (id === shownId && root.childElementCount) return;
    shownId = id;
    albums = [];
    fill(root, backTo('#/artists', 'Back to the artists'), h('div', { class: 'album-hero' }, h('div', { class: 'c-hero-badge' })));
    try {
      const a = await get(`/library/artists/${enc(id)}?limit=${PAGE}`);
      if (shownId !== id) return;
      albums = a.albums || [];
      const grid = h('div', { class: 'grid', id: 'artist-albums' }, albums.map(albumCard));
      const more = h('button', { class: 'btn ghost wide', type: 'button', text: 'Show more albums' });
      more.addEventListener('click', () => loadMore(a, grid, more));
      more.hidden = albums.length >= a.album_count;
      render(a, grid, more);
    } catch (err) {
      shownId = null;
      fill(root, empty('alert', err.missing ? 'Artist not found' : 'The artist could not be loaded', err.message, { href: '#/artists', label: 'Back to the artists' }));
    }
  },
};
