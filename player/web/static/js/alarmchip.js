// The alarm chip on Now Playing, beside the sleep timer: the next alarm's time (it opens the
// Alarms screen), or Snooze while one rings. Kept current by the `alarms` events.

import * as api from './api.js';
import { h, text } from './dom.js';
import { icon } from './icons.js';
import { on, set } from './state.js';
import { run, toast } from './ui.js';

let chip = null;
let label = null;

export function build() {
  label = h('span', { id: 'np-alarm-label' });
  chip = h('a', { id: 'np-alarm', class: 'sleep-chip alarm-chip', href: '#/alarms', 'aria-label': 'Alarms' }, icon('alarm'), label);
  chip.addEventListener('click', (e) => {
    if (!chip.classList.contains('ringing')) return;
    e.preventDefault();
    run(chip, () => api.post('/alarms/snooze')).then((r) => r !== undefined && toast('Snoozed', 'info'));
  });
  on('alarms', render);
  on('conn', (conn) => { if (conn === 'live') refresh(); });
  render(null);
  return chip;
}

async function refresh() {
  try {
    set('alarms', await api.get('/alarms'));
  } catch {
    /* no alarms on this speaker's API: the chip stays a link */
  }
}

/** "06:45" for the soonest ring (in the phone's time, as the speaker's is the same place). */
function soonest(s) {
  const times = ((s && s.alarms) || []).map((a) => a.next_at).filter(Boolean).map(Date.parse).sort((a, b) => a - b);
  if (!times.length) return null;
  const at = new Date(times[0]);
  return String(at.getHours()).padStart(2, '0') + ':' + String(at.getMinutes()).padStart(2, '0');
}

function render(s) {
  const ringing = Boolean(s && s.ringing && !s.snoozed_until);
  chip.classList.toggle('ringing', ringing);
  chip.setAttribute('aria-label', ringing ? 'Snooze the alarm' : 'Alarms');
  const next = soonest(s);
  text(label, ringing ? 'Snooze' : next ? 'Alarm ' + next : 'Alarms');
}
