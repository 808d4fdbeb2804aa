/* service/web/search.js -- the place search box: suggestions as the user types, chosen by mouse
 * or keyboard (arrows, Enter, Escape; aria-activedescendant names the highlighted one for screen
 * readers); the chosen place becomes the incident point.
 * ctx: {map, dispatcher}. */
import { api, say, errorText } from './api.js';
import { $, formatInt, escapeHtml } from './util.js';

const t = window.kkcI18n.t;

/* The page's context, given once by the create function below (the page makes one of each). */
let ctx;
let map;

/* Place search: GET /v1/search (municipalities, places, streets and addresses); while a
 * server has no such endpoint (404) the municipality list /v1/municipalities?q= is asked. */
let suggestAbort = null;
let suggestActive = -1;
let hasSearch = true;

/* The places for q as [{name, kind, municipality, okres, population, lon, lat, code}]. */
async function places(q, signal) {
  if (hasSearch) {
    try {
      const d = await api('/v1/search', { q, limit: 8 }, { signal });
      return { source: 'search', list: Array.isArray(d.results) ? d.results : [] };
    } catch (e) {
      if (e.status !== 404 || !/no such endpoint/i.test(e.messageEn)) throw e;
      hasSearch = false;
    }
  }
  const d = await api('/v1/municipalities', { q, limit: 8 }, { signal });
  return { source: 'municipalities',
    list: d.municipalities.map((m) => Object.assign({ kind: 'municipality' }, m)) };
}

function option(p, i) {
  const li = document.createElement('li');
  li.setAttribute('role', 'option');
  li.id = 'search-option-' + i;
  li.dataset.testid = 'suggestion';
  li.dataset.index = String(i);
  if (p.code) li.dataset.code = p.code;
  li.dataset.lon = p.lon;
  li.dataset.lat = p.lat;
  const where = p.kind === 'municipality' ? p.okres : p.municipality;
  const kind = p.kind && p.kind !== 'municipality' ? t('place.' + p.kind) : '';
  li.innerHTML = escapeHtml(p.name) + ' <small>' + escapeHtml([kind, where].filter(Boolean).join(', ')) +
    (p.population ? ' · ' + formatInt(p.population) + '\u00a0' + t('inh') : '') + '</small>';
  li.addEventListener('mousedown', (ev) => {
    ev.preventDefault();
    choose(p);
  });
  return li;
}

async function suggest() {
  const q = $('search-input').value.trim();
  const ul = $('search-suggestions');
  if (suggestAbort) suggestAbort.abort();
  if (q.length < 2) {
    hideSuggestions();
    return;
  }
  suggestAbort = new AbortController();
  let found;
  try {
    found = await places(q, suggestAbort.signal);
  } catch (e) {
    if (e.name === 'AbortError') return;
    hideSuggestions();
    say($('message'), errorText('what.search', e));
    return;
  }
  ul.innerHTML = '';
  suggestActive = -1;
  $('search-input').removeAttribute('aria-activedescendant');
  found.list.forEach((p, i) => ul.appendChild(option(p, i)));
  if (!found.list.length) {
    const li = document.createElement('li');
    li.textContent = t('no.muni', { q });
    ul.appendChild(li);
  }
  ul.hidden = false;
  ul.dataset.q = q;
  ul.dataset.source = found.source;
  $('search-input').setAttribute('aria-expanded', 'true');
  $('status').textContent = t('search.found', { n: found.list.length });
  ul.places = found.list;
}

function hideSuggestions() {
  $('search-suggestions').hidden = true;
  $('search-input').setAttribute('aria-expanded', 'false');
}

function choose(m) {
  hideSuggestions();
  $('search-input').value = m.name;
  map.setView([m.lat, m.lon], Math.max(map.getZoom(), 12));
  ctx.dispatcher.queryPoint({ lon: m.lon, lat: m.lat });
}

function suggestKeys(ev) {
  const ul = $('search-suggestions');
  const items = Array.from(ul.querySelectorAll('li[data-testid="suggestion"]'));
  if (ul.hidden || !items.length) return;
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    suggestActive = (suggestActive + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
    items.forEach((li, i) => li.setAttribute('aria-selected', i === suggestActive ? 'true' : 'false'));
    $('search-input').setAttribute('aria-activedescendant', items[suggestActive].id);
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    choose(ul.places[Math.max(suggestActive, 0)]);
  } else if (ev.key === 'Escape') {
    hideSuggestions();
  }
}


export function createSearch(c) {
  ctx = c;
  ({ map } = c);
  return { suggest, suggestKeys, hideSuggestions };
}
