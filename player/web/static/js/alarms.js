// Alarms: the list (on or off at a touch), a form to add or change one (time, days, what it
// plays, its volume and fade-in), delete, and Snooze while one rings. The alarm clock lives in the
// speaker (api.md's /api/v1/alarms); every change anywhere arrives as an `alarms` event.

import { del, enc, get, patch, post } from './api.js';
import { fill, h } from './dom.js';
import { icon } from './icons.js';
import { on, set, state } from './state.js';
import { empty, run, toast } from './ui.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_NAMES = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
const FADES = [0, 15, 30, 60, 120, 300];

let root;
let body;
let editing = null; // the alarm in the form ({} for a new one), or null: the list
let choices = null; // {stations, playlists, albums}: what an alarm can play, by id

export function daysText(days) {
  const set_ = new Set(days);
  if (set_.size === 7) return 'Every day';
  if (set_.size === 5 && DAYS.slice(0, 5).every((d) => set_.has(d))) return 'Weekdays';
  if (set_.size === 2 && set_.has('sat') && set_.has('sun')) return 'Weekends';
  return DAYS.filter((d) => set_.has(d)).map((d) => DAY_NAMES[d]).join(', ');
}

function playText(play) {
  if (play.resume) return 'The queue where it was';
  const [kind, id] = Object.entries(play)[0];
  const found = choices && choices[kind] && choices[kind].get(id);
  const what = { album_id: 'Album', playlist_id: 'Playlist', station_id: 'Radio' }[kind];
  return found ? `${what}: ${found}` : what;
}

async function loadChoices() {
  if (choices) return choices;
  const [radio, playlists, albums] = await Promise.all([
    get('/radio').catch(() => ({ stations: [] })),
    get('/library/playlists?limit=200').catch(() => ({ items: [] })),
    get('/library/albums?limit=200').catch(() => ({ items: [] })),
  ]);
  choices = {
    station_id: new Map(radio.stations.map((s) => [s.id, s.name])),
    playlist_id: new Map(playlists.items.map((p) => [p.id, p.name])),
    album_id: new Map(albums.items.map((a) => [a.id, a.title])),
  };
  return choices;
}

// -- the list ---------------------------------------------------------------------------
function alarmRow(a) {
  const toggle = h('input', { type: 'checkbox', role: 'switch', class: 'switch', 'aria-label': `Alarm at ${a.time} on`, checked: a.enabled });
  toggle.addEventListener('change', async () => {
    const done = await run(toggle, () => patch('/alarms/' + enc(a.id), { enabled: toggle.checked }));
    if (!done) toggle.checked = !toggle.checked;
  });
  if (a.source === 'config') toggle.disabled = true;
  const ringing = state.alarms && state.alarms.ringing === a.id;
  return h('li', { class: 'c-row alarm-row' + (a.enabled ? '' : ' off'), dataset: { alarmId: a.id } },
    h('div', { class: 'c-main' },
      h('button', { class: 'alarm-open', type: 'button', 'aria-label': `Change the alarm at ${a.time}`, onclick: () => edit(a) },
        h('span', { class: 'alarm-time', text: a.time }),
        h('span', { class: 't-text' },
          h('span', { class: 't-title', text: daysText(a.days) + (ringing ? ' · ringing' : '') }),
          h('span', { class: 't-sub', text: playText(a.play) + (a.source === 'config' ? ' · from the config file' : '') }))),
      toggle));
}

function renderList() {
  const s = state.alarms;
  const alarms = (s && s.alarms) || [];
  const snooze = s && s.ringing
    ? h('div', { class: 'card-box alarm-ringing', role: 'status' },
      h('p', { class: 'set-label', text: s.snoozed_until ? 'Snoozed' : 'An alarm is ringing' }),
      h('button', { id: 'alarm-snooze', class: 'btn primary wide', type: 'button', onclick: (e) => snooze(e.currentTarget) }, icon('moon'), h('span', { text: 'Snooze' })))
    : null;
  fill(body, snooze,
    alarms.length ? h('ul', { class: 't-list', id: 'alarm-list' }, alarms.map(alarmRow))
      : empty('alarm', 'No alarms yet', 'An alarm plays an album, a playlist, a station or your queue, fading in to its own volume.'),
    h('button', { id: 'alarm-add', class: 'btn wide', type: 'button', onclick: () => edit({}) }, icon('plus'), h('span', { text: 'Add an alarm' })));
}

async function snooze(control) {
  if ((await run(control, () => post('/alarms/snooze'))) !== undefined) toast('Snoozed', 'info');
}

// -- the form ---------------------------------------------------------------------------
async function edit(alarm) {
  editing = alarm;
  await loadChoices();
  if (editing === alarm) renderForm(alarm);
}

function playSelect(current) {
  const sel = h('select', { id: 'alarm-play', class: 'select wide-select', 'aria-label': 'What it plays' },
    h('option', { value: 'resume', text: 'The queue where it was', selected: Boolean(current.resume) }));
  const groups = [['station_id', 'Radio'], ['playlist_id', 'Playlists'], ['album_id', 'Albums']];
  for (const [kind, label] of groups) {
    const entries = [...choices[kind]];
    if (!entries.length) continue;
    sel.append(h('optgroup', { label }, entries.map(([id, name]) =>
      h('option', { value: kind + ':' + id, text: name, selected: current[kind] === id }))));
  }
  return sel;
}

function dayButtons(days) {
  const chosen = new Set(days);
  return h('div', { class: 'segmented alarm-days', role: 'group', 'aria-label': 'Days' }, DAYS.map((d) => {
    const b = h('button', { class: 'seg', type: 'button', 'aria-checked': String(chosen.has(d)), role: 'checkbox', dataset: { day: d }, text: DAY_NAMES[d] });
    b.addEventListener('click', () => b.setAttribute('aria-checked', String(b.getAttribute('aria-checked') !== 'true')));
    return b;
  }));
}

function field(label, control) {
  return h('label', { class: 'set-row' }, h('span', { class: 'set-text' }, h('span', { class: 'set-label', text: label })), control);
}

function renderForm(a) {
  const readOnly = a.source === 'config';
  const time = h('input', { id: 'alarm-time', class: 'num-input time-input', type: 'time', value: a.time || '07:00', required: true });
  const days = dayButtons(a.days || DAYS.slice(0, 5));
  const play = playSelect(a.play || { resume: true });
  const volume = h('input', { id: 'alarm-volume', class: 'range', type: 'range', min: '0', max: '100', step: '1', value: String(a.volume ?? 40) });
  const shown = h('output', { class: 'step-val', text: volume.value });
  volume.addEventListener('input', () => { shown.textContent = volume.value; });
  const fade = h('select', { id: 'alarm-fade', class: 'select' }, FADES.map((s) => h('option', {
    value: String(s), text: s ? (s < 60 ? `${s} s` : `${s / 60} min`) : 'None', selected: s === (a.fade_seconds ?? 30) })));
  const save = h('button', { id: 'alarm-save', class: 'btn primary wide', type: 'submit', disabled: readOnly }, icon('check'), h('span', { text: 'Save' }));
  const form = h('form', { class: 'card-box alarm-form', 'aria-label': a.id ? 'Change the alarm' : 'New alarm' },
    field('Time', time), h('div', { class: 'set-row stacked' }, h('span', { class: 'set-label', text: 'Days' }), days),
    h('div', { class: 'set-row stacked' }, h('span', { class: 'set-label', text: 'Plays' }), play),
    field('Volume', h('span', { class: 'num' }, volume, shown)), field('Fade in', fade),
    readOnly ? h('p', { class: 'set-hint', text: 'This alarm is in the config file: change it there.' }) : null, save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const chosen = [...days.querySelectorAll('[aria-checked="true"]')].map((b) => b.dataset.day);
    if (!chosen.length) return toast('Choose at least one day.');
    const [kind, ...rest] = play.value.split(':');
    const what = kind === 'resume' ? { resume: true } : { [kind]: rest.join(':') };
    const payload = { time: time.value, days: chosen, play: what, volume: Number(volume.value), fade_seconds: Number(fade.value) };
    const done = await run(save, () => (a.id ? patch('/alarms/' + enc(a.id), payload) : post('/alarms', payload)));
    if (done) close();
  });
  const remove = a.id && !readOnly ? h('button', { id: 'alarm-delete', class: 'btn ghost wide danger', type: 'button', onclick: async (e) => {
    if ((await run(e.currentTarget, () => del('/alarms/' + enc(a.id)))) !== undefined) close();
  } }, icon('trash'), h('span', { text: 'Delete the alarm' })) : null;
  fill(body, h('header', { class: 'view-head compact' },
    h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Back to the alarms', onclick: close }, icon('back')),
    h('h3', { text: a.id ? 'Alarm at ' + a.time : 'New alarm' })), form, remove);
}

function close() {
  editing = null;
  refresh();
}

async function refresh() {
  try {
    set('alarms', await get('/alarms'));
  } catch (err) {
    if (!err.missing) toast(err.message);
  }
}

export const view = {
  init() {
    root = document.getElementById('view-alarms');
    body = h('div', { id: 'alarms-body' });
    fill(root, h('header', { class: 'view-head' }, h('h2', { text: 'Alarms' })), body);
    on('alarms', () => { if (!editing) renderList(); });
  },
  async show() {
    editing = null;
    choices = null; // read again at each visit: stations and playlists change
    await loadChoices();
    await refresh();
  },
};
