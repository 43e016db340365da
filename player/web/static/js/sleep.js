// The sleep timer on Now Playing: one chip that says when the speaker goes quiet, and a sheet to set it.
// The timer lives in the speaker (api.md's /api/v1/sleep); every controller's change arrives as a `sleep` event.

import * as api from './api.js';
import { h, text } from './dom.js';
import { icon } from './icons.js';
import { on, set, state } from './state.js';
import { run, sheet } from './ui.js';

let chip = null;
let label = null;
let ticker = 0;

/** The chip (placed by nowplaying.js); reads the timer now and whenever the page reconnects. */
export function build() {
  label = h('span', { id: 'np-sleep-label' });
  chip = h('button', { id: 'np-sleep', class: 'sleep-chip', type: 'button', 'aria-label': 'Sleep timer', onclick: openSheet },
    icon('moon'), label);
  on('sleep', render);
  on('conn', (conn) => { if (conn === 'live') refresh(); });
  render(null);
  return chip;
}

async function refresh() {
  try {
    set('sleep', await api.get('/sleep'));
  } catch {
    /* the events bring it later */
  }
}

function describe(s) {
  if (!s || !s.active) return 'Sleep timer';
  if (s.mode === 'end_of_track') return 'Sleep after this track';
  if (s.mode === 'end_of_queue') return 'Sleep after the queue';
  const left = Math.max(0, Math.ceil((Date.parse(s.ends_at) - Date.now()) / 60000));
  return `Sleep in ${left} min`;
}

function render(s) {
  const active = Boolean(s && s.active);
  chip.setAttribute('aria-pressed', String(active));
  text(label, describe(s));
  clearInterval(ticker);
  // A minutes timer counts down on the chip; nothing to redraw otherwise.
  if (active && s.mode === 'minutes') ticker = setInterval(() => text(label, describe(state.sleep)), 15000);
}

function choose(body) {
  return () => run(chip, async () => set('sleep', await api.post('/sleep', body)));
}

function openSheet() {
  const s = state.sleep;
  const actions = [15, 30, 45, 60].map((m) => ({ label: `In ${m} minutes`, icon: 'moon', run: choose({ minutes: m }) }));
  actions.push({ label: 'At the end of this track', icon: 'moon', run: choose({ end_of_track: true }) });
  actions.push({ label: 'At the end of the queue', icon: 'queue', run: choose({ end_of_queue: true }) });
  if (s && s.active) {
    actions.push({
      label: 'Turn the timer off', icon: 'close', danger: true,
      run: () => run(chip, async () => { await api.del('/sleep'); set('sleep', { active: false, ends_at: null, mode: null }); }),
    });
  }
  sheet('Sleep timer', 'The music fades out over 30 s, then pauses', actions);
}
