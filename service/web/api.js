/* service/web/api.js -- every request of the map page goes through api(), which asks for the
 * page's language (Accept-Language: cs or en, so the API's error texts match the page) and turns
 * an error answer into an ApiError carrying the API's `message` (and `message_en`); say() and
 * errorText() show it. Endpoints that a server may not have yet are simply called: a 404 is
 * shown as a readable note. */
const I18N = window.kkcI18n;
const t = I18N.t;

/* An error answer of the API: status, the API's code, its readable message in the page's
 * language and the English one. */
export class ApiError extends Error {
  constructor(status, code, message, path, messageEn) {
    super(message);
    this.status = status;
    this.code = code;
    this.path = path;
    this.messageEn = messageEn || message;
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
    const o = Object.assign({}, opts);
    o.headers = Object.assign({ Accept: 'application/json' }, o.headers, { 'Accept-Language': I18N.lang });
    res = await fetch(url, o);
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
    throw new ApiError(res.status, body && body.code ? body.code : 'HTTP' + res.status, msg, path,
      body && body.message_en);
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
    if (e.status === 404 && /no such endpoint/i.test(e.messageEn)) {
      return t('err.noendpoint', { what, detail: e.message });
    }
    return what + ': ' + e.message;
  }
  return what + ': ' + (e && e.message ? e.message : String(e));
}
