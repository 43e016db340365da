// Links into the artists and playlists screens from everywhere else (album pages, track menus,
// search): small and loaded with the page; the screens themselves load when first opened.

import { enc, get } from './api.js';
import { h } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { run, toast } from './ui.js';

/** A row that opens a page: a round badge, a title, a second line and a chevron. */
export function linkRow(href, iconName, title, sub, data) {
  return h('li', { class: 'c-row', dataset: data },
    h('a', { class: 'c-main', href },
      h('span', { class: 'c-badge' }, icon(iconName)),
      h('span', { class: 't-text' }, h('span', { class: 't-title', text: title }), h('span', { class: 't-sub', text: sub })),
      h('span', { class: 'c-chev' }, icon('back'))));
}

export function artistRow(a) {
  return linkRow('#/artist/' + enc(a.id), 'artist', a.name, fmt.plural(a.album_count, 'album'), { artistId: a.id });
}

/** Open the artist page of a name (a track's or an album's artist): the artist of that name, or
 * the first whose name holds it ("Alpha Band feat. Bee" is not an album artist of its own). */
export async function openArtist(name) {
  const page = await run(null, () => get('/library/artists?limit=20&q=' + enc(name)));
  if (!page) return;
  const folded = name.toLocaleLowerCase();
  const found = page.items.find((a) => a.name.toLocaleLowerCase() === folded) || page.items[0];
  if (found) location.hash = '#/artist/' + enc(found.id);
  else toast(`No albums of ${name} in the library.`, 'info');
}

/** An artists line whose names open their pages. */
export function artistLinks(names) {
  if (!names || !names.length) return [fmt.artists(names)];
  return names.flatMap((name, i) => [i ? ', ' : null,
    h('button', { class: 'artist-link', type: 'button', text: name, onclick: () => openArtist(name) })]);
}
