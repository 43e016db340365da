// The Now Playing screen and the mini player shown above the tabs on the other screens.

import { cover } from './cover.js';
import * as dl from './dlstate.js';
import { $, fill, h, text } from './dom.js';
import * as fmt from './format.js';
import { icon, setIcon } from './icons.js';
import { artistLinks } from './links.js';
import * as alarmchip from './alarmchip.js';
import * as P from './player.js';
import * as roomchip from './roomchip.js';
import * as sleep from './sleep.js';
import { on, position, state } from './state.js';

let els = {};
let seeking = false;
let ticker = 0;
let shownCover = undefined;
let volTimer = 0;

function btn(id, iconName, label, cls = 'icon-btn', onclick) {
  return h('button', { id, class: cls, type: 'button', 'aria-label': label, onclick }, icon(iconName));
}

function build(root) {
  const seek = h('input', { id: 'np-seek', class: 'range', type: 'range', min: '0', max: '1', step: 'any', value: '0', 'aria-label': 'Seek' });
  const volume = h('input', { id: 'np-volume', class: 'range', type: 'range', min: '0', max: '100', step: '1', value: '0', 'aria-label': 'Volume' });
  els = {
    art: h('div', { class: 'np-art' }),
    title: h('h1', { id: 'np-title', class: 'np-title' }),
    artists: h('p', { id: 'np-artists', class: 'np-artists' }),
    album: h('a', { id: 'np-album', class: 'np-album' }),
    source: h('span', { id: 'np-source', class: 'badge' }),
    seek, volume,
    elapsed: h('span', { id: 'np-elapsed' }),
    remaining: h('span', { id: 'np-remaining' }),
    play: btn('np-play', 'play', 'Play', 'play-btn', (e) => P.togglePlay(e.currentTarget)),
    prev: btn('np-prev', 'prev', 'Previous', 'icon-btn lg', (e) => P.previous(e.currentTarget)),
    next: btn('np-next', 'next', 'Next', 'icon-btn lg', (e) => P.next(e.currentTarget)),
    shuffle: btn('np-shuffle', 'shuffle', 'Shuffle', 'icon-btn toggle', (e) => P.setShuffle(e.currentTarget, !state.player?.shuffle)),
    repeat: btn('np-repeat', 'repeat', 'Repeat', 'icon-btn toggle', (e) => P.cycleRepeat(e.currentTarget)),
    mute: btn('np-mute', 'volume', 'Mute', 'icon-btn sm', (e) => P.setMuted(e.currentTarget, !state.player?.muted)),
    status: h('p', { id: 'np-status', class: 'status-line', role: 'status' }),
    device: h('span', { class: 'np-device' }),
    empty: h('p', { class: 'np-hint', text: 'Pick an album in the Library and it plays here.' }),
  };
  seek.addEventListener('input', () => { seeking = true; paintTimes(Number(seek.value)); });
  seek.addEventListener('change', () => { seeking = false; P.seek(seek, Number(seek.value)); });
  volume.addEventListener('input', onVolumeInput);
  fill(root,
    h('header', { class: 'np-top' }, h('span', { class: 'np-kicker', text: 'Playing on' }), els.device),
    els.art,
    h('div', { class: 'np-meta' },
      h('div', { class: 'np-titlerow' }, els.title, els.source),
      els.artists, els.album, els.empty),
    h('div', { class: 'np-seek' }, seek, h('div', { class: 'np-times' }, els.elapsed, els.remaining)),
    h('div', { class: 'np-controls' }, els.shuffle, els.prev, els.play, els.next, els.repeat),
    h('div', { class: 'np-volume' }, els.mute, volume, h('span', { class: 'vol-max' }, icon('volume'))),
    h('div', { class: 'np-sleep' }, sleep.build(), alarmchip.build(), roomchip.build()),
    els.status);
}

function onVolumeInput() {
  const v = Number(els.volume.value);
  paintRange(els.volume, v, 100);
  clearTimeout(volTimer);
  // Coalesce a drag into a few requests; the last value always goes out.
  volTimer = setTimeout(() => P.setVolume(els.volume, v), 120);
}

function paintRange(input, value, max) {
  input.style.setProperty('--pct', max > 0 ? ((value / max) * 100).toFixed(2) + '%' : '0%');
}

function paintTimes(pos) {
  const dur = state.player?.duration || 0;
  text(els.elapsed, fmt.clock(pos));
  text(els.remaining, '-' + fmt.clock(Math.max(0, dur - pos)));
  paintRange(els.seek, pos, dur);
}

/** The artist names, each opening its page (a station: its name); rebuilt only when they change
 * (not at every tick). */
function paintArtists(item, seen) {
  const names = seen ? seen.artists : '';
  if (els.artists.dataset.names === names) return;
  els.artists.dataset.names = names;
  if (item && item.artists && item.artists.length) fill(els.artists, artistLinks(item.artists));
  else text(els.artists, names);
}

/** A playing item as Now Playing shows it: a track, or a radio station (its stream's own title
 * first, as text, then the station; its "album" line opens the Radio screen). */
export function shownAs(item) {
  if (!item) return null;
  if (item.station) {
    return { title: item.title, artists: item.station.name, album: 'Internet radio', href: '#/radio', coverId: '', coverTitle: item.station.name };
  }
  return { title: item.title, artists: fmt.artists(item.artists), album: item.album,
    href: '#/album/' + encodeURIComponent(item.album_id), coverId: item.album_id, coverTitle: item.album };
}

function render(p) {
  const item = p && p.item;
  const seen = shownAs(item);
  document.body.classList.toggle('has-item', Boolean(item));
  text(els.title, seen ? seen.title : 'Nothing playing');
  paintArtists(item, seen);
  text(els.album, seen ? seen.album : '');
  els.album.href = seen ? seen.href : '#/library';
  els.empty.hidden = Boolean(item);
  const from = p && p.playing_from;
  els.source.hidden = !from;
  text(els.source, from === 'local' ? 'Local' : from === 'stream' ? 'Stream' : '');
  els.source.className = 'badge ' + (from || '');
  els.source.title = from === 'local' ? 'Playing from the copy on the speaker' : 'Streaming from the server';
  renderArt(seen);
  const playing = p && p.state === 'playing';
  setIcon(els.play, playing ? 'pause' : 'play');
  els.play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  els.play.dataset.state = p ? p.state : 'stopped';
  document.body.classList.toggle('is-playing', Boolean(playing)); // the queue's equaliser marks move
  els.shuffle.setAttribute('aria-pressed', String(Boolean(p && p.shuffle)));
  const repeat = (p && p.repeat) || 'off';
  setIcon(els.repeat, repeat === 'one' ? 'repeat1' : 'repeat');
  els.repeat.setAttribute('aria-pressed', String(repeat !== 'off'));
  els.repeat.setAttribute('aria-label', 'Repeat: ' + repeat);
  els.repeat.dataset.repeat = repeat;
  for (const b of [els.prev, els.next]) b.disabled = !item;
  els.seek.disabled = !item || !p.duration;
  els.seek.max = String((p && p.duration) || 1);
  if (!seeking) els.seek.value = String(position());
  if (document.activeElement !== els.volume && p) {
    els.volume.value = String(p.volume);
    paintRange(els.volume, p.volume, 100);
  }
  setIcon(els.mute, p && p.muted ? 'mute' : 'volume');
  els.mute.setAttribute('aria-pressed', String(Boolean(p && p.muted)));
  els.mute.setAttribute('aria-label', p && p.muted ? 'Unmute' : 'Mute');
  tick();
  playTicker(playing);
  renderMini(p);
}

function renderArt(seen) {
  const key = seen ? seen.coverId + '\u0000' + seen.coverTitle : '';
  if (key === shownCover) return;
  shownCover = key;
  fill(els.art, seen ? cover(seen.coverId, seen.coverTitle, 'xl') : h('div', { class: 'cover cover-xl idle' }, icon('deck')));
}

function tick() {
  const pos = position();
  if (!seeking) {
    els.seek.value = String(pos);
    paintTimes(pos);
  }
  const dur = state.player?.duration || 0;
  const mini = $('#mini-progress');
  if (mini) mini.style.setProperty('--pct', dur ? ((pos / dur) * 100).toFixed(2) + '%' : '0%');
}

// A local display timer (not a request loop): between the speaker's 1/s ticks the bar moves smoothly.
function playTicker(playing) {
  if (playing && !ticker) ticker = setInterval(tick, 250);
  if (!playing && ticker) {
    clearInterval(ticker);
    ticker = 0;
  }
}

const KIND = { ethernet: 'Ethernet', wifi: 'Wi-Fi', cellular: 'Mobile data', offline: 'Offline', unknown: 'Network' };
const KIND_ICON = { ethernet: 'lan', wifi: 'wifi', cellular: 'cell', offline: 'offline', unknown: 'wifi' };

function renderStatus() {
  const n = state.network;
  if (!n) {
    els.status.hidden = true;
    return;
  }
  els.status.hidden = false;
  let label = KIND[n.kind] || 'Network';
  if (n.kind === 'wifi' && n.ssid) label += ' “' + n.ssid + '”';
  const waiting = [...dl.byId.values()].find((d) => d.wait_reason && dl.isActive(d));
  const reason = (waiting && waiting.wait_reason !== n.reason ? 'Downloads ' + waiting.wait_reason : '') || n.reason || '';
  // Warn only when something actually waits; "no server configured" alone is not a problem.
  els.status.dataset.wait = String(Boolean(waiting) || n.kind === 'offline');
  // "unknown" says nothing worth a label: show only the reason then.
  const kind = n.kind === 'unknown' && reason ? null : h('span', { class: 'net-kind', text: label });
  els.status.dataset.kind = n.kind;
  fill(els.status, icon(KIND_ICON[n.kind] || 'wifi'), kind,
    kind && reason ? h('span', { class: 'sep', 'aria-hidden': 'true', text: '·' }) : null,
    reason ? h('span', { class: 'reason', text: reason }) : null);
}

// -- the mini player --------------------------------------------------------------------------
let mini = {};

function buildMini(root) {
  mini = {
    art: h('div', { class: 'mini-art' }),
    title: h('strong', { id: 'mini-title' }),
    artists: h('span', { id: 'mini-artists' }),
    play: btn('mini-play', 'play', 'Play', 'icon-btn', (e) => P.togglePlay(e.currentTarget)),
    next: btn('mini-next', 'next', 'Next', 'icon-btn', (e) => P.next(e.currentTarget)),
  };
  fill(root,
    h('div', { id: 'mini-progress', class: 'mini-progress' }),
    h('a', { class: 'mini-open', href: '#/now', 'aria-label': 'Open Now Playing' },
      mini.art, h('span', { class: 'mini-text' }, mini.title, mini.artists)),
    mini.play, mini.next);
}

let miniCover;
function renderMini(p) {
  const seen = shownAs(p && p.item);
  text(mini.title, seen ? seen.title : '');
  text(mini.artists, seen ? seen.artists : '');
  const key = seen ? seen.coverId + '\u0000' + seen.coverTitle : '';
  if (key !== miniCover) {
    miniCover = key;
    fill(mini.art, seen ? cover(seen.coverId, seen.coverTitle, 'xs') : null);
  }
  const playing = p && p.state === 'playing';
  setIcon(mini.play, playing ? 'pause' : 'play');
  mini.play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
}

export function init() {
  build($('#view-now'));
  buildMini($('#mini'));
  on('player', render);
  on('network', renderStatus);
  on('downloads', renderStatus);
  on('health', (hth) => text(els.device, (hth && hth.name) || location.hostname || 'tapedeck'));
  text(els.device, location.hostname || 'tapedeck');
  render(null);
}

export function show() {
  tick();
}
