// Rooms: the Snapcast clients of the house (api.md's /api/v1/rooms), live from the `rooms` events.
// Each room: its name, whether it is connected, its latency, its volume and mute, and whether it
// plays this speaker's music (in the group) or another stream. While snapserver is unreachable
// the last rooms stay, dimmed, with the reason; with multiroom off the screen says how to turn it on.
// Cards are kept per room and updated in place, so a slider being dragged is never rebuilt.

import { enc, get, patch } from './api.js';
import { fill, h, text } from './dom.js';
import { icon } from './icons.js';
import { applyRooms } from './roomchip.js';
import { on, state } from './state.js';
import { empty, run } from './ui.js';

let root;
let notice;
let list;
let body;
const cards = new Map(); // room id -> {el, set(room)}

function roomCard(room) {
  let current = room;
  let dragging = false;
  let timer = 0;
  const name = h('span', { class: 't-title room-name' });
  const sub = h('span', { class: 't-sub room-sub' });
  const mute = h('button', { class: 'icon-btn sm room-mute', type: 'button' });
  const volume = h('input', { class: 'range room-volume', type: 'range', min: '0', max: '100', step: '1' });
  const shown = h('output', { class: 'step-val room-volume-val' });
  const group = h('input', { type: 'checkbox', role: 'switch', class: 'switch room-in-group' });
  const el = h('li', { class: 'card-box room-card', dataset: { roomId: room.id } },
    h('div', { class: 'room-head' }, h('span', { class: 'room-dot', 'aria-hidden': 'true' }),
      h('span', { class: 't-text' }, name, sub)),
    h('div', { class: 'room-volume-row' }, mute, volume, shown),
    h('label', { class: 'set-row room-group-row' },
      h('span', { class: 'set-text' }, h('span', { class: 'set-label', text: 'Plays this speaker' }),
        h('span', { class: 'set-hint room-group-hint' })), group));

  const send = (control, change) => run(control, () => patch('/rooms/' + enc(current.id), change));
  const paint = (v) => {
    volume.style.setProperty('--pct', v + '%');
    text(shown, v);
  };
  volume.addEventListener('input', () => {
    dragging = true;
    paint(Number(volume.value));
    clearTimeout(timer);
    timer = setTimeout(() => send(null, { volume: Number(volume.value) }), 150); // a drag, coalesced
  });
  volume.addEventListener('change', async () => {
    clearTimeout(timer);
    const done = await send(volume, { volume: Number(volume.value) });
    dragging = false;
    set(done || current); // the speaker's word again (a refused change springs back)
  });
  mute.addEventListener('click', async () => {
    const done = await send(mute, { muted: !current.muted });
    if (done) set(done);
  });
  group.addEventListener('change', async () => {
    const done = await send(group, { in_group: group.checked });
    set(done || current); // refused (409: no other stream to go to): the switch springs back
  });

  function set(r) {
    current = r;
    el.classList.toggle('offline', !r.connected);
    el.classList.toggle('elsewhere', !r.in_group);
    text(name, r.name);
    const parts = [r.connected ? 'Connected' : 'Not connected', `latency ${r.latency} ms`];
    if (r.this_device) parts.unshift('This speaker');
    text(sub, parts.join(' · '));
    mute.setAttribute('aria-pressed', String(r.muted));
    mute.setAttribute('aria-label', (r.muted ? 'Unmute ' : 'Mute ') + r.name);
    mute.replaceChildren(icon(r.muted ? 'mute' : 'volume'));
    volume.setAttribute('aria-label', 'Volume of ' + r.name);
    if (!dragging) {
      volume.value = String(r.volume);
      paint(r.volume);
    }
    group.setAttribute('aria-label', r.name + ' plays this speaker');
    group.checked = r.in_group;
    text(el.querySelector('.room-group-hint'), r.in_group ? 'In the group: in sync with this speaker' : 'Playing another stream');
  }
  set(room);
  return { el, set };
}

function renderNotice(s) {
  const feed = state.snapfeed;
  const lines = [];
  const own = s && s.snapclient; // a room's own snapclient (room role): down, and why
  if (own && !own.running) lines.push(h('p', { class: 'room-notice-title', text: "This speaker's snapclient is not running" }), h('p', { class: 'set-hint', text: own.problem }));
  if (s && !s.reachable) lines.push(h('p', { class: 'room-notice-title', text: 'snapserver is unreachable' }), h('p', { class: 'set-hint', text: s.reason || 'Reconnecting…' }));
  if (feed && feed.feed === 'waiting') lines.push(h('p', { class: 'room-notice-title', text: 'The music waits for snapserver' }), h('p', { class: 'set-hint', text: feed.reason }));
  notice.hidden = !lines.length;
  fill(notice, icon('alert'), h('div', null, lines));
}

function render() {
  const s = state.rooms;
  if (!root || root.hidden) return;
  renderNotice(s);
  if (!s) {
    cards.clear();
    const off = state.features.rooms === false; // else not asked yet
    fill(body, off ? empty('rooms', 'Multiroom is off', 'Set [snapcast] role to "source" or "room" in tapedeck.toml to play in sync with other rooms through Snapcast.') : null);
    return;
  }
  list.classList.toggle('stale', !s.reachable);
  const seen = new Set();
  s.rooms.forEach((room, i) => {
    seen.add(room.id);
    let card = cards.get(room.id);
    if (card) card.set(room);
    else cards.set(room.id, (card = roomCard(room)));
    if (list.children[i] !== card.el) list.insertBefore(card.el, list.children[i] || null);
  });
  // While snapserver is away a change cannot reach it: the last rooms are shown, not offered.
  for (const control of list.querySelectorAll('input, button')) control.disabled = !s.reachable;
  for (const [id, card] of cards) {
    if (!seen.has(id)) {
      card.el.remove();
      cards.delete(id);
    }
  }
  if (!s.rooms.length) fill(body, s.reachable ? empty('rooms', 'No rooms yet', 'Start snapclient in a room (or set [snapcast] role = "room" on another tapedeck) and it shows here.') : null);
  else if (list.parentNode !== body) fill(body, list);
}

/** Read the rooms again: the list, or why there is none (404: multiroom off, 503: snapserver away). */
async function refresh() {
  try {
    applyRooms(await get('/rooms'));
  } catch (err) {
    if (err.status === 404) applyRooms(null);
    else if (err.status === 503) applyRooms({ rooms: state.rooms ? state.rooms.rooms : [], reachable: false, reason: err.message });
  }
}

let styled = null; // rooms.css, loaded with the screen

export const view = {
  init() {
    styled = new Promise((done) => {
      document.head.append(h('link', { rel: 'stylesheet', href: '/static/rooms.css', onload: done, onerror: done }));
    });
    root = document.getElementById('view-rooms');
    notice = h('div', { id: 'rooms-notice', class: 'card-box room-notice', role: 'status', hidden: true });
    list = h('ul', { id: 'room-list', class: 't-list room-list' });
    body = h('div', { id: 'rooms-body' });
    fill(root, h('header', { class: 'view-head' }, h('h2', { text: 'Rooms' })), notice, body);
    on('rooms', render);
    on('snapfeed', render);
  },
  async show() {
    await styled;
    render();
    await refresh();
    render();
  },
};
