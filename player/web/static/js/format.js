// Formatting of times, sizes and names for people.

export function clock(seconds) {
  let s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  s %= 60;
  const mm = hours ? String(minutes).padStart(2, '0') : String(minutes);
  return (hours ? hours + ':' : '') + mm + ':' + String(s).padStart(2, '0');
}

export function length(seconds) {
  const minutes = Math.round((seconds || 0) / 60);
  if (minutes < 60) return minutes + ' min';
  return Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min';
}

export function bytes(n) {
  if (n == null || !Number.isFinite(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  const digits = i > 0 && Math.abs(n) < 10 ? 1 : 0;
  return n.toFixed(digits) + ' ' + units[i];
}

export function speed(bytesPerSecond) {
  return bytes(bytesPerSecond) + '/s';
}

export function artists(list) {
  return list && list.length ? list.join(', ') : 'Unknown artist';
}

export function plural(n, one, many = one + 's') {
  return n + ' ' + (n === 1 ? one : many);
}
