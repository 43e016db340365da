// What the playlists and artists screens share: the paged list, the list screen and the hero at
// the top of a detail page (loaded with those screens, not with the page).

import { get } from './api.js';
import { fill, h } from './dom.js';
import * as fmt from './format.js';
import { icon } from './icons.js';
import { empty, run } from './ui.js';

const PAGE = 100;

/**
 * A list of `path`'s items ({items, total}) a page at a time under `root`'s header; `row` makes
 * one row, `label` the count line, `none` the empty state [icon, title, body].
 */
export function pagedList({ root, id, path, row, label, none }) {
  let items = [];
  let total = 0;
  const list = h('ul', { class: 't-list', id });
  const more = h('button', { class: 'btn ghost wide', type: 'button', text: 'Show more', onclick: () => load(true) });
  const count = h('p', { class: 'section-label' });
  const body = h('div');

  async function load(next = false) {
    const offset = next ? items.length : 0;
    const page = await run(more, () => get(`${path}?offset=${offset}&limit=${PAGE}`));
    if (!page) {
      if (!next) fill(body, empty('alert', 'This list could not be loaded', 'Check that the speaker is on and try again.'));
      return;
    }
    items = next ? items.concat(page.items) : page.items;
    total = page.total ?? items.length;
    if (!items.length) {
      fill(body, empty(...none));
      return;
    }
    count.textContent = label(total);
    if (next) list.append(...page.items.map(row));
    else fill(list, page.items.map(row));
    more.hidden = items.length >= total;
    if (!list.isConnected) fill(body, count, list, more);
  }
  root.append(body);
  // Loaded again at each visit: a rescan or a server's sync may have changed the list.
  return { shown: () => load() };
}

/** A list screen under Library: its section `rootId`, a back link, a title and a pagedList. */
export function listScreen(rootId, title, options) {
  let list;
  return {
    init() {
      const root = document.getElementById(rootId);
      fill(root, backTo('#/library', 'Back to the library'), h('header', { class: 'view-head' }, h('h2', { text: title })));
      list = pagedList({ root, ...options });
    },
    show() { list.shown(); },
  };
}

/** The top of a detail page: badge, title, a facts line and the action buttons. */
export function hero(iconName, title, facts, actions) {
  return h('div', { class: 'album-hero' },
    h('div', { class: 'c-hero-badge' }, icon(iconName)),
    h('h2', { class: 'album-title', text: title }),
    h('p', { class: 'album-facts', text: facts.filter(Boolean).join(' · ') }),
    h('div', { class: 'album-actions' }, actions));
}

export function backTo(href, label) {
  return h('header', { class: 'view-head compact' }, h('a', { class: 'icon-btn', href, 'aria-label': label }, icon('back')));
}

export const duration = (seconds) => (seconds ? fmt.length(seconds) : null);

