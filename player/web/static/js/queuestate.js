// The page's copy of the queue, kept by the versioned changes of the events socket
// (`/events?queue=changes`): each message says what one change did (inserted, removed, moved);
// the whole queue travels only in the snapshot, and is re-read (in pages) after a gap or a reset.

import { get } from './api.js';
import { set, state } from './state.js';

const PAGE = 2000; // entries per GET while re-reading a big queue: no single huge parse
const MAX_TRIES = 4; // re-reads restarted because the queue changed under them

let reading = null; // the re-read in flight, if any

/** The snapshot's queue (api.md's Queue): the page's copy starts over from it. */
export function queueSnapshot(queue) {
  set('queue', normal(queue));
}

/** One `queue` message in the changes form. */
export function queueMessage(msg) {
  const head = msg.queue || {};
  const change = msg.change;
  const local = state.queue;
  if (!change) {
    set('queue', normal(head)); // api.md's full form
    return;
  }
  if (local && head.version <= local.version) return; // already seen (a reply got here first)
  if (!local || change.since !== local.version || change.reset) {
    if (head.entries) set('queue', normal(head));
    else reread();
    return;
  }
  set('queue', applied(local, change, head));
}

/** A reply of a queue route: taken only when it holds the whole queue and is newer. */
export function queueReply(queue) {
  if (!queue || !Array.isArray(queue.entries)) return;
  const whole = queue.total === undefined || queue.entries.length === queue.total;
  if (whole && (!state.queue || queue.version > state.queue.version)) set('queue', normal(queue));
}

/** Read the whole queue again (after a gap, a reset, or a refused optimistic change). */
export function reread() {
  if (!reading) reading = readAll().finally(() => { reading = null; });
  return reading;
}

async function readAll() {
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const first = await get(`/queue?offset=0&limit=${PAGE}`);
    let entries = first.entries;
    while (entries.length < first.total) {
      const page = await get(`/queue?offset=${entries.length}&limit=${PAGE}`);
      if (page.version !== first.version || !page.entries.length) break;
      entries = entries.concat(page.entries);
    }
    if (entries.length === first.total) {
      if (!state.queue || first.version >= state.queue.version) set('queue', normal({ ...first, entries }));
      return;
    }
  }
}

function normal(q) {
  const entries = q.entries || [];
  return { entries, index: q.index ?? null, version: q.version ?? 0, total: entries.length };
}

function applied(local, change, head) {
  const { removed, moved, inserted } = change;
  let entries = local.entries;
  if (removed.length) {
    const gone = new Set(removed);
    entries = entries.filter((e) => !gone.has(e.entry_id));
  } else if (moved.length || inserted.length) {
    entries = entries.slice(); // a track change (the index alone) copies nothing
  }
  for (const move of moved) {
    const from = entries.findIndex((e) => e.entry_id === move.entry_id);
    if (from < 0) continue;
    const [entry] = entries.splice(from, 1);
    entries.splice(move.to, 0, entry);
  }
  // Inserted entries come in runs of consecutive places (an append, a "play next"): one splice each.
  for (let i = 0; i < inserted.length;) {
    let j = i + 1;
    while (j < inserted.length && inserted[j].index === inserted[j - 1].index + 1) j++;
    entries.splice(inserted[i].index, 0, ...inserted.slice(i, j).map((row) => row.entry));
    i = j;
  }
  const next = { entries, index: head.index ?? null, version: head.version, total: entries.length };
  if (next.total !== head.total) reread(); // should not happen; the server's copy wins
  return next;
}
