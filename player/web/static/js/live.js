// The events WebSocket: snapshot then changes; reconnects by itself with backoff, and at once when
// the phone wakes up or comes back online.

import { eventsUrl } from './api.js';
import { queueMessage, queueSnapshot } from './queuestate.js';
import { set, state } from './state.js';

const MIN_DELAY = 500;
const MAX_DELAY = 15000;
const STALE_AFTER = 25000; // hidden longer than the server's heartbeat: the socket may be a zombie

let socket = null;
let delay = MIN_DELAY;
let timer = 0;
let hiddenAt = 0;
let handlers = {};

/** Start the connection; `on` maps message types (snapshot, download, cache, error) to callbacks. */
export function startLive(on) {
  handlers = on;
  connect();
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('online', () => reconnectNow());
  window.addEventListener('offline', () => setConn('offline'));
}

/** Drop the current socket (if any) and connect again right away. */
export function reconnectNow() {
  delay = MIN_DELAY;
  if (socket) {
    const old = socket;
    socket = null;
    old.onclose = null;
    old.close();
  }
  connect();
}

function connect() {
  clearTimeout(timer);
  if (socket) return;
  setConn(state.conn === 'live' ? 'connecting' : state.conn);
  let ws;
  try {
    ws = new WebSocket(eventsUrl());
  } catch {
    schedule();
    return;
  }
  socket = ws;
  ws.onmessage = (e) => onMessage(e.data);
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    setConn('offline');
    schedule();
  };
  ws.onerror = () => ws.close();
}

function schedule() {
  clearTimeout(timer);
  if (document.hidden) return; // reconnect when the page is looked at again
  const jitter = delay * (0.75 + Math.random() * 0.5);
  timer = setTimeout(connect, jitter);
  delay = Math.min(delay * 2, MAX_DELAY);
}

function onVisibility() {
  if (document.hidden) {
    hiddenAt = Date.now();
    return;
  }
  if (!socket || Date.now() - hiddenAt > STALE_AFTER) reconnectNow();
}

function onMessage(raw) {
  let msg;
  try {
    msg = JSON.parse(raw);
  } catch {
    return;
  }
  switch (msg.type) {
    case 'snapshot':
      delay = MIN_DELAY;
      set('network', msg.network || null);
      set('counts', msg.downloads || { active_count: 0, queued_count: 0 });
      if (msg.cache && Object.keys(msg.cache).length) {
        state.features.cache = true;
        set('cache', { ...(state.cache || {}), ...msg.cache });
      }
      queueSnapshot(msg.queue);
      set('player', msg.player);
      handlers.rooms?.(msg.rooms || null);
      setConn('live');
      handlers.snapshot?.(msg);
      break;
    case 'player':
      set('player', msg.player);
      break;
    case 'queue':
      queueMessage(msg);
      break;
    case 'sleep':
      set('sleep', msg.sleep);
      break;
    case 'alarms':
      set('alarms', { alarms: msg.alarms || [], ringing: msg.ringing || null, snoozed_until: msg.snoozed_until || null });
      break;
    case 'rooms':
      handlers.rooms?.(msg);
      break;
    case 'snapcast': // the source's feed into snapserver: flowing, or waiting and why
      set('snapfeed', msg);
      break;
    case 'network':
      set('network', msg.network);
      break;
    case 'download':
      handlers.download?.(msg.event, msg.download);
      break;
    case 'cache':
      handlers.cache?.(msg);
      break;
    case 'error':
      handlers.error?.(msg.error || {});
      break;
    case 'message':
      handlers.message?.(msg.text || '');
      break;
    default:
      break;
  }
}

function setConn(value) {
  if (state.conn !== value) set('conn', value);
  document.body.dataset.connection = value;
}
