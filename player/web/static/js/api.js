// The HTTP client of api.md: JSON in and out, errors carry the API's own message.

const BASE = '/api/v1';
const TOKEN_KEY = 'tapedeck.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The feature behind this route is not configured on the speaker (hide it, do not complain). */
  get missing() {
    return this.status === 404 || this.status === 501 || this.status === 503;
  }
}

export function token() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(value) {
  try {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* private mode: the token lives for this page only */
  }
}

/** A URL the browser fetches by itself (images, the WebSocket), which cannot carry a header. */
export function withToken(url) {
  const t = token();
  return t ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(t) : url;
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const t = token();
  if (t) headers.Authorization = 'Bearer ' + t;
  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch {
    throw new ApiError(0, 'network', 'The speaker cannot be reached. Is it on the same Wi-Fi?');
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    /* an empty or non-JSON body: the status speaks */
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    const message = err.message || `The speaker answered ${res.status} ${res.statusText}.`;
    if (res.status === 401) window.dispatchEvent(new CustomEvent('tapedeck:unauthorized'));
    throw new ApiError(res.status, err.code || 'http_' + res.status, message);
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);

export const enc = encodeURIComponent;

export function coverUrl(albumId) {
  return withToken(BASE + '/library/albums/' + enc(albumId) + '/image');
}

export function eventsUrl() {
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  // The queue as versioned changes, not a copy of it per change (queuestate.js applies them).
  return withToken(scheme + location.host + BASE + '/events?queue=changes');
}
