/* service/web/util.js -- small helpers of the map page: element lookup, number formats in the
 * page's language (service/web/i18n.js), HTML escaping, debounce. */
const I = window.kkcI18n;

export const $ = (id) => document.getElementById(id);

export function formatDistance(m) {
  if (m === null || m === undefined || !isFinite(m)) return '–';
  return m < 1000 ? I.int(m) + '\u00a0m' : I.num(m / 1000, 2) + '\u00a0km';
}

export function formatDuration(s) {
  if (s === null || s === undefined || !isFinite(s)) return '–';
  if (s < 60) return I.int(s) + '\u00a0s';
  const min = s / 60;
  if (min < 60) return I.num(min, 1) + '\u00a0min';
  return Math.floor(min / 60) + '\u00a0h ' + Math.round(min % 60) + '\u00a0min';
}

export function formatShare(x) {
  return I.share(x);
}

export function formatInt(n) {
  return I.int(n);
}

export function escapeHtml(s) {
  return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function debounce(fn, ms) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), ms);
  };
}

/* o[name] when present and not null, else undefined. */
export function pick(o, ...names) {
  for (const n of names) {
    if (o && o[n] !== undefined && o[n] !== null) return o[n];
  }
  return undefined;
}
