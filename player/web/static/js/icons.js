// Line icons drawn for tapedeck on a 24x24 grid. Built with createElementNS from constant path data.

const NS = 'http://www.w3.org/2000/svg';
const FILLED = new Set(['play', 'pause', 'next', 'prev', 'playsm', 'pausesm']);
const PATHS = {
  play: 'M8 5.5v13a.8.8 0 0 0 1.2.7l10.4-6.5a.8.8 0 0 0 0-1.4L9.2 4.8A.8.8 0 0 0 8 5.5z',
  pause: 'M6.5 5h3.2v14H6.5zM14.3 5h3.2v14h-3.2z',
  playsm: 'M9 7v10l8-5z',
  pausesm: 'M8 7h3v10H8zM13 7h3v10h-3z',
  next: 'M5.5 6.3v11.4a.7.7 0 0 0 1.1.6l8-5.7a.7.7 0 0 0 0-1.2l-8-5.7a.7.7 0 0 0-1.1.6zM16.5 6h2v12h-2z',
  prev: 'M18.5 6.3v11.4a.7.7 0 0 1-1.1.6l-8-5.7a.7.7 0 0 1 0-1.2l8-5.7a.7.7 0 0 1 1.1.6zM5.5 6h2v12h-2z',
  shuffle: 'M3 7h3c4.5 0 6.5 10 11 10h3M3 17h3c1.8 0 3.1-1.6 4.2-3.6M13.8 9.6C14.9 8.1 16 7 17.5 7H20M17 4l3 3-3 3M17 14l3 3-3 3',
  repeat: 'M4 12V9.5A2.5 2.5 0 0 1 6.5 7H19M16 4l3 3-3 3M20 12v2.5a2.5 2.5 0 0 1-2.5 2.5H5M8 20l-3-3 3-3',
  repeat1: 'M4 12V9.5A2.5 2.5 0 0 1 6.5 7H19M16 4l3 3-3 3M20 12v2.5a2.5 2.5 0 0 1-2.5 2.5H5M8 20l-3-3 3-3M11 11l1.3-1v4.5',
  volume: 'M4 9.5h3.5L12 5.5v13l-4.5-4H4zM15.5 9a4 4 0 0 1 0 6M18 6.5a7.5 7.5 0 0 1 0 11',
  mute: 'M4 9.5h3.5L12 5.5v13l-4.5-4H4zM16 10l4 4M20 10l-4 4',
  deck: 'M4 6h16a1.5 1.5 0 0 1 1.5 1.5v9A1.5 1.5 0 0 1 20 18H4a1.5 1.5 0 0 1-1.5-1.5v-9A1.5 1.5 0 0 1 4 6zM8 9.8a1.7 1.7 0 1 0 0 3.4 1.7 1.7 0 1 0 0-3.4zM16 9.8a1.7 1.7 0 1 0 0 3.4 1.7 1.7 0 1 0 0-3.4zM9.7 11.5h4.6M7 18l1.5-2.5h7L17 18',
  moon: 'M19.5 14.5A8 8 0 0 1 9.5 4.5a8 8 0 1 0 10 10z',
  queue: 'M4 6h16M4 11h16M4 16h8M15.5 14v6l4.5-3z',
  library: 'M4.5 4h5v16h-5zM11.5 4h3v16h-3zM16.2 5.2l2.9-.8 3.4 15.1-2.9.8z',
  download: 'M12 4v11M7 10.5l5 5 5-5M5 20h14',
  settings: 'M4 7h9M17 7h3M4 17h3M11 17h9M15 5v4M9 15v4',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  close: 'M6 6l12 12M18 6L6 18',
  up: 'M6 15l6-6 6 6',
  down: 'M6 9l6 6 6-6',
  back: 'M15 5l-7 7 7 7',
  grip: 'M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01',
  more: 'M12 5h.01M12 12h.01M12 19h.01',
  search: 'M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 1 0 0-13zM15.5 15.5L20 20',
  cell: 'M5 19v-3M10 19v-6M15 19v-9M20 19V5',
  wifi: 'M2.5 9.5a14 14 0 0 1 19 0M5.5 13a9.5 9.5 0 0 1 13 0M8.7 16.3a5 5 0 0 1 6.6 0M12 19.5h.01',
  offline: 'M2.5 9.5a14 14 0 0 1 19 0M5.5 13a9.5 9.5 0 0 1 13 0M8.7 16.3a5 5 0 0 1 6.6 0M12 19.5h.01M3 3l18 18',
  lan: 'M9 3.5h6v5H9zM12 8.5V12M5.5 12h13M5.5 12v3.5M18.5 12v3.5M3 15.5h5v5H3zM16 15.5h5v5h-5z',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  plus: 'M12 5v14M5 12h14',
  next_up: 'M4 6h10M4 11h10M4 16h6M14 15l6 3-6 3z',
  retry: 'M19.5 12a7.5 7.5 0 1 1-2.2-5.3M19.5 4.5v4.5H15',
  storage: 'M4 5h16v5H4zM4 14h16v5H4zM7.5 7.5h.01M7.5 16.5h.01',
  alert: 'M12 8v5M12 16.5h.01M10.3 4.2L2.8 17.5A2 2 0 0 0 4.5 20.5h15a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0z',
  playlist: 'M4 6h11M4 11h11M4 16h6M18 8v8.5a2.2 2.2 0 1 1-2.2-2.2H18M18 8l3-1.5',
  artist: 'M12 4a4 4 0 1 0 0 8 4 4 0 1 0 0-8zM4.5 20.5a7.5 7.5 0 0 1 15 0',
  radio: 'M4 10h16v10H4zM7 10l11-5.5M8.5 13.5a1.8 1.8 0 1 0 0 3.6 1.8 1.8 0 1 0 0-3.6zM14 14h3M14 17h3',
  alarm: 'M12 6.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 1 0 0-13zM12 9.5V13l2.2 1.5M4.5 5.5L7 3.5M19.5 5.5L17 3.5',
  rooms: 'M3.5 5h7v14h-7zM7 12a2 2 0 1 0 0 4 2 2 0 1 0 0-4zM7 8h.01M13.5 5h7v14h-7zM17 12a2 2 0 1 0 0 4 2 2 0 1 0 0-4zM17 8h.01',
  link: 'M9 15l6-6M10.5 6.5l1.8-1.8a4 4 0 0 1 5.7 5.7l-1.8 1.8M13.5 17.5l-1.8 1.8a4 4 0 0 1-5.7-5.7l1.8-1.8',
};

const made = new Map(); // name and class -> the first one made, cloned for every later use

/** An icon as an inline SVG element (decorative: aria-hidden). */
export function icon(name, cls = '') {
  const key = name + ' ' + cls;
  let first = made.get(key);
  if (!first) {
    first = document.createElementNS(NS, 'svg');
    first.setAttribute('viewBox', '0 0 24 24');
    first.setAttribute('aria-hidden', 'true');
    first.setAttribute('class', ('icon ' + cls).trim());
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', PATHS[name] || PATHS.alert);
    if (FILLED.has(name)) first.classList.add('filled');
    first.append(path);
    made.set(key, first);
  }
  return first.cloneNode(true);
}

/** Fill every static `[data-icon]` placeholder of the page shell. */
export function placeIcons(root = document) {
  for (const el of root.querySelectorAll('[data-icon]')) {
    el.prepend(icon(el.dataset.icon));
    el.removeAttribute('data-icon');
  }
}

/** Swap the icon inside a button. */
export function setIcon(el, name) {
  const old = el.querySelector('svg.icon');
  if (old && old.dataset.name === name) return;
  const fresh = icon(name);
  fresh.dataset.name = name;
  if (old) old.replaceWith(fresh);
  else el.prepend(fresh);
}

export { NS };
