// Track rows and the track/album actions shared by the library, search and album screens.

import { post } from './api.js';
import { trackButton } from './dlbutton.js';
import { h } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { openArtist } from './links.js';
import { queueReply } from './queuestate.js';
import { run, sheet, toast } from './ui.js';

/** Add to the queue: mode replace (and play), append, or next. */
export async function enqueue(control, body, mode, message) {
  const res = await run(control, () => post('/queue', { ...body, mode, play: mode === 'replace' }));
  if (!res) return;
  queueReply(res);
  if (message) toast(message, 'info');
}

export function trackMenu(track, extra = []) {
  sheet(track.title, fmt.artists(track.artists), [
    ...extra,
    { label: 'Play next', icon: 'next_up', run: () => enqueue(null, { item_ids: [track.id] }, 'next', 'Plays next') },
    { label: 'Add to queue', icon: 'plus', run: () => enqueue(null, { item_ids: [track.id] }, 'append', 'Added to the queue') },
    { label: 'Go to album', icon: 'library', run: () => { location.hash = '#/album/' + encodeURIComponent(track.album_id); } },
    track.artists && track.artists.length ? { label: 'Go to artist', icon: 'artist', run: () => openArtist(track.artists[0]) } : null,
  ].filter(Boolean));
}

/**
 * One track row. `play` runs when the row is tapped; `lead` is the number or cover at its start;
 * `sub` the second line.
 */
export function trackRow(track, { play, lead, sub, current }) {
  const main = h('button', { class: 't-main', type: 'button', onclick: (e) => play(e.currentTarget), 'aria-label': `Play ${track.title}` },
    h('span', { class: 't-lead' }, current ? h('span', { class: 'eq', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')) : lead),
    h('span', { class: 't-text' }, h('span', { class: 't-title', text: track.title }), sub ? h('span', { class: 't-sub', text: sub }) : null),
    h('span', { class: 't-dur', text: fmt.clock(track.duration) }));
  return h('li', { class: 't-row' + (current ? ' current' : ''), dataset: { itemId: track.id } },
    main,
    trackButton(track, 'sm'),
    h('button', { class: 'icon-btn sm t-more', type: 'button', 'aria-label': `More for ${track.title}`, onclick: () => trackMenu(track) }, icon('more')));
}
