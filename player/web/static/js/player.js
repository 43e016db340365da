// Player commands with optimistic feedback: the page shows the expected state at once, then the
// speaker's answer; a failure puts the last known state back and says why.

import { request } from './api.js';
import { position, set, state } from './state.js';
import { run, toast } from './ui.js';

export async function command(control, method, path, body, optimistic) {
  const before = state.player;
  const beforePos = position();
  if (optimistic && before) set('player', { ...before, position: beforePos, ...optimistic });
  const res = await run(control, () => request(method, '/player' + path, body), {
    onError: () => before && set('player', { ...before, position: beforePos }),
  });
  if (res) set('player', res);
  return res;
}

export function togglePlay(control) {
  const p = state.player;
  if (p && p.state === 'playing') return command(control, 'POST', '/pause', undefined, { state: 'paused' });
  if ((!p || !p.item) && !(state.queue && state.queue.entries.length)) {
    toast('Nothing to play yet: pick an album in the Library.', 'info');
    location.hash = '#/library';
    return null;
  }
  return command(control, 'POST', '/play', undefined, { state: 'playing' });
}

export const next = (control) => command(control, 'POST', '/next');
export const previous = (control) => command(control, 'POST', '/previous');
export const seek = (control, pos) => command(control, 'POST', '/seek', { position: pos }, { position: pos });
export const setVolume = (control, volume) => command(control, 'POST', '/volume', { volume }, { volume });
export const setMuted = (control, muted) => command(control, 'PATCH', '', { muted }, { muted });
export const setShuffle = (control, shuffle) => command(control, 'PATCH', '', { shuffle }, { shuffle });

const REPEAT_NEXT = { off: 'all', all: 'one', one: 'off' };
export function cycleRepeat(control) {
  const repeat = REPEAT_NEXT[(state.player && state.player.repeat) || 'off'];
  return command(control, 'PATCH', '', { repeat }, { repeat });
}
