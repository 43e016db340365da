// What the page knows about downloads: the list, the latest row per track, and speeds computed from
// the byte counts of progress events.

import { get } from './api.js';
import { emit, state } from './state.js';

export const byId = new Map();
const byItem = new Map();
const speeds = new Map(); // id -> {bytes, t, bps}
const ACTIVE = new Set(['pending', 'downloading', 'paused', 'failed']);
// Command answers and list loads travel beside the WebSocket, so one can arrive after an event that
// is newer than it. Events are counted; a row some event spoke about after a request was sent keeps
// what the event said (the events are in order and always have the last word).
let seq = 0;
const heard = new Map(); // id -> seq of the last event about it

export const isActive = (d) => ACTIVE.has(d.status);

/** The event count now: pass it to `put` for the answer of a request sent after this. */
export const mark = () => seq;

const newer = (id, since) => (heard.get(id) ?? -1) > since;

/** Load the whole list (after connecting, or when the feature appears) and merge it. */
export async function refresh() {
  const since = seq;
  const data = await get('/downloads?limit=500');
  const fresh = new Map((data.downloads || []).map((d) => [d.id, d]));
  for (const d of [...byId.values()]) if (!fresh.has(d.id) && !newer(d.id, since)) forget(d);
  for (const d of fresh.values()) if (!newer(d.id, since)) remember(d);
  if (seq === since) {
    state.counts = { active_count: data.active_count ?? 0, queued_count: data.queued_count ?? 0 };
    emit('counts');
  } else recount();
  emit('downloads');
}

/** Apply one `download` event from the WebSocket. */
export function apply(event, d) {
  if (!d) return;
  heard.set(d.id, ++seq);
  store(event, d);
}

/** Apply a Download a command answered with (immediate feedback; the event follows), unless an
 * event about it arrived after `since` (from `mark()` before the request). */
export function put(d, since) {
  if (d && !newer(d.id, since)) store(d.status === 'cancelled' ? 'cancelled' : 'update', d);
}

function store(event, d) {
  if (event === 'deleted' || d.status === 'cancelled') {
    forget(d);
  } else {
    sample(d);
    remember(d);
  }
  recount();
  emit('downloads');
}

export function remove(d) {
  forget(d);
  recount();
  emit('downloads');
}

function remember(d) {
  byId.set(d.id, d);
  const prev = byItem.get(d.item_id);
  if (!prev || prev.id === d.id || prev.status === 'cancelled' || d.id > prev.id) byItem.set(d.item_id, d);
}

function forget(d) {
  byId.delete(d.id);
  speeds.delete(d.id);
  if (byItem.get(d.item_id)?.id === d.id) byItem.delete(d.item_id);
}

function sample(d) {
  const now = performance.now();
  const prev = speeds.get(d.id);
  if (d.status !== 'downloading') {
    speeds.delete(d.id);
    return;
  }
  if (!prev) {
    speeds.set(d.id, { bytes: d.bytes_downloaded || 0, t: now, bps: 0 });
    return;
  }
  const dt = (now - prev.t) / 1000;
  if (dt < 0.2) return; // too close together to measure
  const inst = Math.max(0, ((d.bytes_downloaded || 0) - prev.bytes) / dt);
  const bps = prev.bps ? prev.bps * 0.6 + inst * 0.4 : inst; // smoothed, so the figure is readable
  speeds.set(d.id, { bytes: d.bytes_downloaded || 0, t: now, bps });
}

function recount() {
  let active = 0;
  let queued = 0;
  for (const d of byId.values()) {
    if (d.status === 'downloading') active++;
    else if (d.status === 'pending') queued++;
  }
  state.counts = { active_count: active, queued_count: queued };
  emit('counts');
}

export function speedOf(id) {
  return speeds.get(id)?.bps || 0;
}

export function forItem(itemId) {
  return byItem.get(itemId) || null;
}

export function forAlbum(albumId) {
  return [...byId.values()].filter((d) => d.album_id === albumId);
}

/** {state, progress} of a track's download button. */
export function trackState(track) {
  const d = byItem.get(track.id);
  if (d) {
    if (d.status === 'completed') return { state: 'completed', progress: 1 };
    // can_pause: false (a transfer its source runs by itself, e.g. slskd) offers no Pause.
    const fixed = d.can_pause === false;
    if (d.status === 'downloading') return { state: 'downloading', progress: d.progress || 0, fixed };
    return { state: d.status, progress: d.progress || 0, fixed };
  }
  return track.available_offline ? { state: 'completed', progress: 1 } : { state: 'available', progress: 0 };
}

/** {state, progress, done, total} of an album's button, from its tracks when known. */
export function albumState(album, tracks) {
  const total = tracks ? tracks.length : album.track_count || 0;
  const rows = forAlbum(album.id);
  let done = 0;
  let partial = 0;
  if (tracks) {
    for (const t of tracks) {
      const s = trackState(t);
      if (s.state === 'completed') done++;
      else partial += s.progress;
    }
  } else {
    done = rows.filter((d) => d.status === 'completed').length;
    if (album.available_offline === 'full') done = total;
    partial = rows.filter((d) => d.status === 'downloading').reduce((sum, d) => sum + (d.progress || 0), 0);
  }
  const progress = total ? Math.min(1, (done + partial) / total) : 0;
  const has = (status) => rows.some((d) => d.status === status);
  let st;
  if (has('downloading') || has('pending')) st = 'downloading';
  else if (has('paused')) st = 'paused';
  else if (has('failed')) st = 'failed';
  else if (total && done >= total) st = 'completed';
  else if (done > 0 || album.available_offline === 'partial') st = 'partial';
  else st = 'available';
  return { state: st, progress: st === 'partial' ? Math.max(progress, done / (total || 1)) : progress, done, total };
}
