// The library: the ways in (playlists, artists, radio), an albums grid with covers, and search over
// artists, albums and tracks.

import { enc, get } from './api.js';
import { artistRow } from './links.js';
import { cover, forgetRegion, watchRegion } from './cover.js';
import { albumButton } from './dlbutton.js';
import { $, debounce, fill, h } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { currentItemId } from './state.js';
import { enqueue, trackRow } from './tracks.js';
import { empty, run, toast } from './ui.js';

const PAGE = 60;
let results;
let input;
let loaded = false;
let albums = [];
let total = 0;
let query = '';

export function albumCard(album, region = false) {
  return h('a', { class: 'card', href: '#/album/' + enc(album.id), dataset: { albumId: album.id } },
    cover(album.id, album.title, 'md', { region: region === true }),
    h('span', { class: 'card-row' },
      h('span', { class: 'card-text' },
        h('span', { class: 'card-title', text: album.title }),
        h('span', { class: 'card-sub', text: fmt.artists(album.artists) })),
      albumButton(album, null, 'sm')));
}

function grid(list) {
  return h('div', { class: 'grid', id: 'album-grid' }, list.map(albumCard));
}

// The albums grid grows a page at a time, appended below the others (never a rebuild of the
// thousands above), and the next page is asked for when the end comes near (an
// IntersectionObserver on the "more" button, which also works by tap).
let albumGrid = null;
let moreButton = null;
let loading = false;
const nearEnd = new IntersectionObserver((entries) => {
  if (entries.some((e) => e.isIntersecting) && !query) loadAlbums(true);
}, { rootMargin: '600px 0px' });

async function loadAlbums(more = false) {
  if (loading || (more && albums.length >= total)) return;
  loading = true;
  const offset = more ? albums.length : 0;
  const page = await run(null, () => get(`/library/albums?offset=${offset}&limit=${PAGE}`));
  loading = false;
  if (!page) {
    if (!more) fill(results, empty('alert', 'The library could not be loaded', 'Check that the speaker is on and try again.', { href: '#/library', label: 'Try again' }));
    return;
  }
  const fresh = more ? page.items : [];
  albums = more ? albums.concat(page.items) : page.items;
  total = page.total ?? albums.length;
  loaded = true;
  if (query) return;
  if (more && albumGrid && albumGrid.isConnected) appendAlbums(fresh);
  else renderAlbums();
}

// A page is appended as blocks of 12 cards, each a grid: whole rows at 1-3 columns (main is at
// most 560 px wide), and the unit skipped off the screen, so a frame lays out the cards near it.
const BLOCK = 12;

function gridBlocks(items) {
  const blocks = [];
  for (let i = 0; i < items.length; i += BLOCK) {
    const block = h('div', { class: 'grid grid-page' }, items.slice(i, i + BLOCK).map((album) => albumCard(album, true)));
    watchRegion(block);
    blocks.push(block);
  }
  return blocks;
}

function appendAlbums(items) {
  albumGrid.append(...gridBlocks(items));
  updateMore();
}

function updateMore() {
  const left = albums.length < total;
  moreButton.hidden = !left;
  nearEnd.unobserve(moreButton); // observed afresh: a button still near asks again
  if (left) nearEnd.observe(moreButton);
}

function renderAlbums() {
  if (!albums.length) {
    fill(results, empty('library', 'No music yet', 'Put music files in the speaker’s music folder, or connect a Jellyfin server in its settings file.'));
    return;
  }
  if (albumGrid) for (const block of albumGrid.children) forgetRegion(block);
  albumGrid = h('div', { class: 'grid-pages', id: 'album-grid' }, gridBlocks(albums));
  moreButton = h('button', { class: 'btn ghost wide', type: 'button', id: 'more-albums', text: 'Show more albums', onclick: () => loadAlbums(true) });
  fill(results, h('p', { class: 'section-label', text: fmt.plural(total, 'album') }), albumGrid, moreButton);
  updateMore();
}

const search = debounce(async (q) => {
  if (q !== query) return;
  const res = await run(null, () => get('/library/search?q=' + enc(q)));
  if (!res || q !== query) return;
  const tracks = res.tracks || [];
  const found = res.albums || [];
  const artists = res.artists || [];
  if (!tracks.length && !found.length && !artists.length) {
    fill(results, empty('search', 'Nothing found', `No artist, album or track matches “${q}”. Try fewer words.`));
    return;
  }
  const playing = currentItemId();
  fill(results,
    artists.length ? [h('p', { class: 'section-label', text: 'Artists' }), h('ul', { class: 't-list', id: 'search-artists' }, artists.map(artistRow))] : null,
    found.length ? [h('p', { class: 'section-label', text: 'Albums' }), grid(found)] : null,
    tracks.length ? [h('p', { class: 'section-label', text: 'Tracks' }),
      h('ul', { class: 't-list' }, tracks.map((t) => trackRow(t, {
        play: (c) => enqueue(c, { item_ids: [t.id] }, 'replace'),
        lead: cover(t.album_id, t.album, 'sm'),
        sub: fmt.artists(t.artists) + ' · ' + t.album,
        current: t.id === playing,
      })))] : null);
}, 250);

function onInput() {
  query = input.value.trim();
  if (!query) {
    if (loaded) renderAlbums();
    return;
  }
  search(query);
}

export function init() {
  const root = $('#view-library');
  input = h('input', { id: 'search', class: 'search-input', type: 'search', placeholder: 'Albums, artists, tracks', 'aria-label': 'Search the library', autocomplete: 'off', enterkeyhint: 'search' });
  input.addEventListener('input', onInput);
  results = h('div', { id: 'library-results' });
  const ways = h('nav', { class: 'ways', 'aria-label': 'Browse' },
    h('a', { class: 'way', href: '#/playlists', id: 'to-playlists' }, icon('playlist'), h('span', { text: 'Playlists' })),
    h('a', { class: 'way', href: '#/artists', id: 'to-artists' }, icon('artist'), h('span', { text: 'Artists' })),
    h('a', { class: 'way', href: '#/radio', id: 'to-radio' }, icon('radio'), h('span', { text: 'Radio' })));
  fill(root,
    h('header', { class: 'view-head' }, h('h2', { text: 'Library' })),
    h('label', { class: 'search' }, icon('search'), input),
    ways,
    results);
}

export function show() {
  if (!loaded) {
    fill(results, h('div', { class: 'grid skeleton' }, Array.from({ length: 4 }, () => h('div', { class: 'card' }, h('div', { class: 'cover cover-md' })))));
    loadAlbums();
  }
}

/** After a download finished or was deleted: refresh that album's availability in the grid. */
export const albumChanged = debounce(async (albumId) => {
  const i = albums.findIndex((a) => a.id === albumId);
  if (i < 0) return;
  try {
    const fresh = await get('/library/albums/' + enc(albumId));
    albums[i] = { ...fresh, tracks: undefined };
    const old = results.querySelector(`.card[data-album-id="${CSS.escape(albumId)}"]`);
    if (old) old.replaceWith(albumCard(albums[i]));
  } catch (err) {
    if (!err.missing) toast(err.message);
  }
}, 400);
