// Album covers, with a generated placeholder (two hues from the album id, and its initials) when the
// speaker has no image.

import { coverUrl } from './api.js';
import { h } from './dom.js';

const missing = new Set(); // album ids whose image answered 404 this session

// A cover is fetched only once its box comes near the screen: a library of thousands of albums
// asks for the few dozen covers in view. An observer's cost each frame grows with the boxes it
// watches (4,000 made the grid's frames long), so the covers of a region (a block of the grid)
// are watched only while the region is near the screen.
const pending = new WeakMap(); // box -> the <img> waiting for its src
const near = new WeakSet(); // regions near the screen
const nearView = new IntersectionObserver((entries) => {
  for (const { target, isIntersecting } of entries) {
    if (!isIntersecting) continue;
    nearView.unobserve(target);
    target.classList.remove('waiting');
    target.firstChild.src = pending.get(target);
  }
}, { rootMargin: '300px 0px' });
const nearRegion = new IntersectionObserver((entries) => {
  for (const { target, isIntersecting } of entries) {
    if (isIntersecting) near.add(target);
    else near.delete(target);
    watchBoxes(target, isIntersecting);
  }
}, { rootMargin: '600px 0px' });

function watchBoxes(region, on) {
  for (const box of region.querySelectorAll('.cover.waiting')) {
    if (on) nearView.observe(box);
    else nearView.unobserve(box);
  }
}

/** Watch the covers made with `{ region: true }` in `el` while `el` is near the screen. */
export function watchRegion(el) {
  nearRegion.observe(el);
  if (near.has(el)) watchBoxes(el, true);
}

/** `el` left the page: its covers are watched no more. */
export function forgetRegion(el) {
  nearRegion.unobserve(el);
  watchBoxes(el, false);
}

function hash(s) {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
  return x >>> 0;
}

function initials(title) {
  const words = String(title || '').replace(/[^\p{L}\p{N}\s]/gu, ' ').trim().split(/\s+/).filter(Boolean);
  return words.slice(0, 2).map((w) => [...w][0].toUpperCase()).join('') || '♪';
}

/** A placeholder tile; `style` gets numbers only, the initials are a text node. */
export function placeholder(albumId, title) {
  const n = hash(String(albumId || title || ''));
  const hue = n % 360;
  const el = h('div', { class: 'cover-ph', 'aria-hidden': 'true' }, h('span', { text: initials(title) }));
  el.style.setProperty('--h1', String(hue));
  el.style.setProperty('--h2', String((hue + 40 + ((n >> 9) % 60)) % 360));
  return el;
}

/** A cover box of the given size class (xs, sm, md, lg, xl); `region`: see watchRegion(). */
export function cover(albumId, title, size = 'md', { region = false } = {}) {
  const box = h('div', { class: 'cover cover-' + size });
  if (!albumId || missing.has(albumId)) {
    box.append(placeholder(albumId, title));
    return box;
  }
  const img = h('img', { alt: '', loading: size === 'xl' ? 'eager' : 'lazy', decoding: 'async', draggable: 'false' });
  img.addEventListener('error', () => {
    missing.add(albumId);
    img.replaceWith(placeholder(albumId, title));
  });
  img.addEventListener('load', () => box.classList.add('loaded'));
  box.append(img);
  if (size === 'xl') {
    img.src = coverUrl(albumId);
  } else {
    pending.set(box, coverUrl(albumId));
    box.classList.add('waiting');
    if (!region) nearView.observe(box);
  }
  return box;
}
