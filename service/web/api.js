/* service/web/api.js -- every request of the map page goes through api(), which turns an error
 * answer into an ApiError carrying the API's `message`; say() and errorText() show it. Endpoints
 * that a server may not have yet are simply called: a 404 is shown as a readable note. */
const t = window.kkcI18n.t;

/* An error answer of the API: status, the API's code and its readable message. */
export class ApiError extends Error {
  constructor(status, code, message, path) {
    super(message);
    this.status = status;
    this.code = code;
    this.path = path;
  }
}

/* A query string from an object, leaving out undefined, null and '' values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

/* Call the API: resolves with the parsed JSON, rejects with an ApiError whose message is the
 * API's `message` (or a plain description when the answer is not the API's JSON). */
export async function api(path, params, opts) {
  if (window.kkcParams) params = window.kkcParams(path, params); /* closures.js: avoid= */
  const url = path + qs(params);
  let res;
  try {
    res = await fetch(url, Object.assign({ headers: { Accept: 'application/json' } }, opts));
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Network', t('err.network', { detail: e.message }), path);
  }
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (!res.ok) {
    const msg = body && body.message ? body.message : 'HTTP ' + res.status + ' ' + res.statusText;
    throw new ApiError(res.status, body && body.code ? body.code : 'HTTP' + res.status, msg, path);
  }
  if (body === null) throw new ApiError(res.status, 'BadAnswer', t('err.notjson'), path);
  return body;
}

/* Show text in a message box (kind 'error' or 'info'); empty text hides it. */
export function say(el, text, kind) {
  el.textContent = text || '';
  el.hidden = !text;
  el.classList.toggle('info', kind === 'info');
}

/* The text to show for an error of what (e.g. "Nearest centres"). */
export function errorText(whatKey, e) {
  const what = t(whatKey);
  if (e instanceof ApiError) {
    if (e.status === 404 && /no such endpoint/i.test(e.message)) {
      return t('err.noendpoint', { what, detail: e.message });
    }
    return what + ': ' + e.message;
  }
  return what + ': ' + (e && e.message ? e.message : String(e));
}
