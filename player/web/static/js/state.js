// The page's state: what the last snapshot and events said, and who wants to know about changes.

export const state = {
  player: null,
  playerAt: 0, // performance.now() when `player` arrived: the base for local position interpolation
  queue: null,
  network: null,
  cache: null,
  sleep: null, // the sleep timer (api.md's Timers)
  alarms: null, // {alarms, ringing, snoozed_until}: GET /api/v1/alarms and the `alarms` events
  rooms: null, // {rooms, reachable, reason} (roomchip.js); null: multiroom off
  snapfeed: null, // the last `snapcast` event {feed: "flowing"|"waiting", reason} (source role)
  counts: { active_count: 0, queued_count: 0 },
  conn: 'connecting', // connecting | live | offline
  features: { downloads: false, cache: false, pairing: false, rooms: null }, // rooms: null until known,
  health: null,
  route: { name: 'now', arg: '' },
};

const listeners = new Map();

/** Subscribe to changes of one key; returns the unsubscribe function. */
export function on(key, fn) {
  if (!listeners.has(key)) listeners.set(key, new Set());
  listeners.get(key).add(fn);
  return () => listeners.get(key).delete(fn);
}

export function emit(key) {
  for (const fn of listeners.get(key) || []) {
    try {
      fn(state[key]);
    } catch (err) {
      console.error('listener for', key, 'failed', err);
    }
  }
}

export function set(key, value) {
  state[key] = value;
  if (key === 'player') state.playerAt = performance.now();
  emit(key);
}

/** The position now: the last reported one plus the time since, while playing. */
export function position() {
  const p = state.player;
  if (!p) return 0;
  let pos = p.position || 0;
  if (p.state === 'playing') pos += (performance.now() - state.playerAt) / 1000;
  return p.duration ? Math.min(pos, p.duration) : pos;
}

export function currentItemId() {
  const p = state.player;
  return p && p.item ? p.item.id : null;
}
