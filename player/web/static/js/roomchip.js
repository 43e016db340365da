// The Snapcast rooms as the page knows them (the snapshot's `rooms`, then the `rooms` events;
// none with multiroom off) and the Rooms chip on Now Playing that opens their screen.

import { h, text } from './dom.js';
import { icon } from './icons.js';
import { on, set, state } from './state.js';

let chip = null;
let label = null;

/** {rooms, reachable, reason} from the speaker, or null: multiroom is off ([snapcast] role). */
export function applyRooms(msg) {
  state.features.rooms = Boolean(msg);
  set('rooms', msg ? { rooms: msg.rooms || [], reachable: msg.reachable !== false, reason: msg.reason || '', snapclient: msg.snapclient || null } : null);
}

export function build() {
  label = h('span', { id: 'np-rooms-label' });
  chip = h('a', { id: 'np-rooms', class: 'sleep-chip rooms-chip', href: '#/rooms', hidden: true }, icon('rooms'), label);
  on('rooms', render);
  return chip;
}

function render(s) {
  chip.hidden = !s;
  if (!s) return;
  const n = s.rooms.filter((r) => r.in_group && r.connected).length;
  chip.classList.toggle('away', !s.reachable);
  text(label, !s.reachable ? 'Rooms: no snapserver' : n === 1 ? '1 room' : `${n} rooms`);
}
