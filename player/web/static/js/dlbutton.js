// The download button (design/download-manager.md): states available, pending, downloading (a
// circular progress ring), paused, failed, completed, and partial for albums; sizes sm, md, lg.

import { del, post } from './api.js';
import * as dl from './dlstate.js';
import { h } from './dom.js';
import { NS, icon } from './icons.js';
import { state } from './state.js';
import { run, sheet, toast } from './ui.js';

const LABELS = {
  available: 'Download',
  pending: 'Queued for download, tap to pause',
  downloading: 'Downloading, tap to pause',
  paused: 'Download paused, tap to resume',
  failed: 'Download failed, tap to retry',
  completed: 'Downloaded',
  partial: 'Partly downloaded, tap to download the rest',
};
const GLYPH = {
  available: 'download', pending: 'pausesm', downloading: 'pausesm', paused: 'download',
  failed: 'retry', completed: 'check', partial: 'download',
};
const buttons = new Set(); // live buttons, refreshed on every download change

function ring() {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 36 36');
  svg.setAttribute('class', 'ring');
  svg.setAttribute('aria-hidden', 'true');
  for (const cls of ['ring-track', 'ring-fill']) {
    const c = document.createElementNS(NS, 'circle');
    c.setAttribute('cx', '18');
    c.setAttribute('cy', '18');
    c.setAttribute('r', '15.5');
    c.setAttribute('pathLength', '100');
    c.setAttribute('class', cls);
    svg.append(c);
  }
  return svg;
}

function paint(btn, s) {
  const name = s.state;
  if (btn.dataset.state !== name) {
    btn.dataset.state = name;
    btn.querySelector('.glyph').replaceChildren(icon(GLYPH[name]));
  }
  const pct = Math.round((name === 'completed' ? 1 : s.progress || 0) * 100);
  // An inline style, since the stylesheet's stroke-dasharray would beat a presentation attribute;
  // a pending ring keeps the stylesheet's spinning arc.
  btn.querySelector('.ring-fill').style.strokeDasharray = name === 'pending' ? '' : `${pct} 100`;
  btn.style.setProperty('--p', String(pct));
  let label = LABELS[name];
  if (name === 'downloading') label = `Downloading ${pct}%, tap to pause`;
  if (s.fixed && name === 'pending') label = 'Queued for download';
  if (s.fixed && name === 'downloading') label = `Downloading ${pct}%`;
  if (s.total && (name === 'partial' || name === 'completed')) label += ` (${s.done} of ${s.total} tracks)`;
  btn.setAttribute('aria-label', label);
  btn.title = label;
  btn.dataset.progress = String(pct);
}

/** A button for one track (with `track` fields of api.md's Track). */
export function trackButton(track, size = 'sm') {
  const btn = make(size, 'track');
  btn.dataset.itemId = track.id;
  const compute = () => dl.trackState(track);
  const refresh = () => paint(btn, compute());
  btn.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    onTrack(btn, track, compute().state);
  });
  return track.source === 'local' ? null : register(btn, refresh);
}

/** A button for an album; `tracks` when the album page has them (exact partial availability). */
export function albumButton(album, tracks, size = 'md') {
  const btn = make(size, 'album');
  btn.dataset.albumId = album.id;
  const compute = () => dl.albumState(album, tracks);
  const refresh = () => paint(btn, compute());
  btn.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    onAlbum(btn, album, compute());
  });
  return register(btn, refresh);
}

function make(size, kind) {
  return h('button', { class: `dl dl-${size}`, type: 'button', dataset: { kind } },
    ring(), h('span', { class: 'glyph' }));
}

function register(btn, refresh) {
  btn._refresh = refresh;
  buttons.add(btn);
  refresh();
  return btn;
}

/** Repaint every button on the page (called on download events); forgets detached ones. */
export function refreshAll() {
  for (const btn of buttons) {
    if (!btn.isConnected && btn._seen) buttons.delete(btn);
    else {
      btn._seen = btn._seen || btn.isConnected;
      btn._refresh();
    }
  }
}

async function onTrack(btn, track, st) {
  const d = dl.forItem(track.id);
  if (st === 'completed') {
    if (!d) return toast('This track is already on the speaker.', 'info');
    return sheet(track.title, 'Downloaded', [
      { label: 'Remove download', icon: 'trash', danger: true, run: () => removeDownload(btn, d) },
    ]);
  }
  if (d && (st === 'downloading' || st === 'pending') && d.can_pause === false) {
    return sheet(track.title, 'Downloading (cannot be paused)', [
      { label: 'Cancel download', icon: 'close', danger: true, run: () => act(btn, d, 'cancel') },
    ]);
  }
  if (d && (st === 'downloading' || st === 'pending')) return act(btn, d, 'pause');
  if (d && (st === 'paused' || st === 'failed')) return act(btn, d, 'resume');
  const since = dl.mark();
  const created = await run(btn, () => post('/downloads', { item_id: track.id }));
  dl.put(created, since);
  refreshAll();
}

async function act(btn, d, verb) {
  const since = dl.mark();
  const updated = await run(btn, () => post(`/downloads/${encodeURIComponent(d.id)}/${verb}`));
  dl.put(updated, since);
  refreshAll();
}

async function removeDownload(btn, d) {
  const ok = await run(btn, () => del(`/downloads/${encodeURIComponent(d.id)}`));
  if (ok !== undefined) dl.remove(d);
  refreshAll();
}

async function onAlbum(btn, album, s) {
  const rows = dl.forAlbum(album.id);
  const ids = (statuses) => rows.filter((d) => statuses.includes(d.status));
  const pausable = ids(['downloading', 'pending']).filter((d) => d.can_pause !== false);
  if (s.state === 'downloading') return each(btn, pausable, 'pause');
  if (s.state === 'paused' || s.state === 'failed') return each(btn, ids(['paused', 'failed']), 'resume');
  if (s.state === 'completed') {
    const done = ids(['completed']);
    if (!done.length) return toast('This album is already on the speaker.', 'info');
    return sheet(album.title, `Downloaded · ${done.length} tracks`, [
      { label: 'Remove downloads', icon: 'trash', danger: true, run: () => done.forEach((d) => removeDownload(btn, d)) },
    ]);
  }
  const since = dl.mark();
  const res = await run(btn, () => post('/downloads/album', { album_id: album.id }));
  for (const d of (res && res.downloads) || []) dl.put(d, since);
  refreshAll();
}

async function each(btn, rows, verb) {
  await Promise.all(rows.map((d) => act(btn, d, verb)));
}

/** Whether download buttons are shown at all (the downloads routes exist on this speaker). */
export const enabled = () => state.features.downloads;
