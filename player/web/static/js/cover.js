// Album covers, with a generated placeholder (two hues from the album id, and its initials) when the
// speaker has no image.

import { coverUrl } from './api.js';
import { h } from './dom.js';

const missing = new Set(); // album ids whose image answered 404 this session

// A cover is fetched only once its box comes near the screen: a library of thousands of albums
// asks for the few dozen covers in view, not for every one of them at once.
const pending = new WeakMap(); // box -> the <img> waiting for its src
const nearView = typeof IntersectionObserver === 'function'
  ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      nearView.unobserve(entry.target);
      const img = pending.get(entry.target);
      if (img) img.src = img.dataset.src;
      pending.delete(entry.target);
    }
  }, { rootMargin: '300px 0px' })
  : null;

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

/** A cover box of the given size class (xs, sm, md, lg, xl). */
export function cover(albumId, title, size = 'md') {
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
  if (size === 'xl' || !nearView) {
    img.src = coverUrl(albumId);
  } else {
    img.dataset.src = coverUrl(albumId);
    pending.set(box, img);
    nearView.observe(box);
  }
  return box;
}
