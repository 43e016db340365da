// Internet radio: the stations (the config file's and those added here), play one, add and
// remove. While a station plays its row says what the stream says is on (ICY title), as text.

import { del, enc, get, post } from './api.js';
import { fill, h } from './dom.js';
import { icon } from './icons.js';
import { backTo } from './shelf.js';
import { on, set, state } from './state.js';
import { empty, run, toast } from './ui.js';

let root;
let list;
let stations = [];
let loaded = false;

function onAir() {
  const item = state.player && state.player.item;
  return item && item.station && state.player.state !== 'stopped' ? item : null;
}

function row(s) {
  const air = onAir();
  const now = air && air.station.id === s.id;
  const sub = now && air.title !== s.name ? 'On air: ' + air.title : s.url;
  return h('li', { class: 'c-row t-row' + (now ? ' current' : ''), dataset: { stationId: s.id } },
    h('div', { class: 'c-main' },
      h('button', { class: 'c-badge', type: 'button', 'aria-label': 'Play ' + s.name, onclick: (e) => play(e.currentTarget, s) },
        icon(now ? 'volume' : 'play')),
      h('span', { class: 't-text' }, h('span', { class: 't-title', text: s.name }), h('span', { class: 't-sub station-sub', text: sub })),
      s.source === 'api' ? h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Remove ' + s.name, onclick: (e) => remove(e.currentTarget, s) }, icon('trash')) : null));
}

function render() {
  if (!loaded) return;
  fill(list, stations.length ? h('ul', { class: 't-list', id: 'station-list' }, stations.map(row))
    : empty('radio', 'No stations yet', 'Add a station with its stream address (or its .pls or .m3u) below.'));
}

async function load() {
  const res = await run(null, () => get('/radio'));
  if (!res) return;
  stations = res.stations;
  loaded = true;
  render();
}

async function play(control, s) {
  const res = await run(control, () => post('/queue', { station_id: s.id, mode: 'replace', play: true }));
  if (res) toast(`Playing ${s.name}`, 'info');
}

async function remove(control, s) {
  if ((await run(control, () => del('/radio/' + enc(s.id)))) === undefined) return;
  stations = stations.filter((x) => x.id !== s.id);
  render();
}

function addForm() {
  const name = h('input', { id: 'station-name', class: 'text-input', type: 'text', placeholder: 'Name', 'aria-label': 'Station name', maxlength: '120', autocomplete: 'off' });
  const url = h('input', { id: 'station-url', class: 'text-input', type: 'url', placeholder: 'https://… stream, .pls or .m3u', 'aria-label': 'Stream address', autocomplete: 'off', inputmode: 'url' });
  const add = h('button', { id: 'station-add', class: 'btn primary wide', type: 'submit' }, icon('plus'), h('span', { text: 'Add station' }));
  const form = h('form', { class: 'card-box station-form', 'aria-label': 'Add a station' },
    h('p', { class: 'set-title', text: 'Add a station' }), name, url, add);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const made = await run(add, () => post('/radio', { name: name.value.trim(), url: url.value.trim() }));
    if (!made) return;
    stations.push(made);
    name.value = url.value = '';
    render();
  });
  return form;
}

export const view = {
  init() {
    root = document.getElementById('view-radio');
    list = h('div', { id: 'radio-stations' });
    fill(root, backTo('#/library', 'Back to the library'), h('header', { class: 'view-head' }, h('h2', { text: 'Radio' })), list, addForm());
    on('player', () => { if (!root.hidden) render(); });
    on('conn', (conn) => { if (conn === 'live' && loaded) load(); });
    set('radio', null);
  },
  show() { load(); },
};
