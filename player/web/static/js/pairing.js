// Pairing (security.pairing = true): ask the speaker for a token, approved by a press of its play
// button. The page checks the request every 2 s, only within the 60 s approval window.

import { get, post, setToken } from './api.js';
import { $, fill, h, text } from './dom.js';
import { icon } from './icons.js';
import { set, state } from './state.js';
import { run } from './ui.js';

const WINDOW_MS = 60000;
const CHECK_MS = 2000;
let open = false;

export function init(onPaired) {
  window.addEventListener('tapedeck:unauthorized', () => {
    state.features.pairing = true;
    set('features', state.features);
    if (!open) show(onPaired);
  });
}

function show(onPaired) {
  open = true;
  const root = $('#pairing');
  const name = h('input', { id: 'pair-name', class: 'text-input', type: 'text', maxlength: '40', value: 'My phone', 'aria-label': 'A name for this phone' });
  const status = h('p', { class: 'pair-status', role: 'status' });
  const start = h('button', { id: 'pair-start', class: 'btn primary wide', type: 'button', text: 'Pair this phone' });
  start.addEventListener('click', () => begin(start, name.value.trim() || 'Phone', status, onPaired));
  fill(root, h('div', { class: 'pair-card' },
    h('div', { class: 'empty-icon' }, icon('link')),
    h('h2', { text: 'Pair with this speaker' }),
    h('p', { text: 'This speaker only takes orders from phones it knows. Give this phone a name, then press the play button on the speaker.' }),
    name, start, status));
  root.hidden = false;
}

async function begin(control, name, status, onPaired) {
  const res = await run(control, () => post('/pairing', { name }));
  if (!res) return;
  control.disabled = true;
  const deadline = Date.now() + WINDOW_MS;
  while (Date.now() < deadline) {
    text(status, `Now press the play button on the speaker (${Math.ceil((deadline - Date.now()) / 1000)} s left).`);
    await new Promise((r) => setTimeout(r, CHECK_MS));
    let answer;
    try {
      answer = await get('/pairing/' + encodeURIComponent(res.request_id));
    } catch (err) {
      text(status, err.message);
      break;
    }
    if (answer.state === 'approved' && answer.token) {
      setToken(answer.token);
      $('#pairing').hidden = true;
      open = false;
      onPaired();
      return;
    }
    if (answer.state === 'expired') break;
  }
  text(status, 'The request expired. Try again, and press the speaker’s play button within a minute.');
  control.disabled = false;
}
