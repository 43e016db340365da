// Element helpers. Data only ever reaches the page as text nodes or attribute values, never as HTML.

/** Create an element: h('button', {class: 'x', onclick: f, 'aria-label': 'Play'}, child, 'text'). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  add(el, children);
  return el;
}

/** Append children; strings become text nodes (Element.append never parses HTML). */
export function add(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** Replace every child of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  return add(el, children);
}

/** Set text only when it changed, so screen readers and layout are not disturbed by ticks. */
export function text(el, value) {
  const s = value == null ? '' : String(value);
  if (el.textContent !== s) el.textContent = s;
}

/** Call `fn` at most once per `ms`, the last call always winning. */
export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
