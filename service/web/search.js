/* service/web/search.js -- the place search box: suggestions as the user types, chosen by mouse
 * or keyboard (arrows, Enter, Escape); the chosen place becomes the incident point.
 * ctx: {map, dispatcher}. */
import { api, say, errorText } from './api.js';
import { $, formatInt, escapeHtml } from './util.js';

const t = window.kkcI18n.t;

export function createSearch(ctx) {
  const { map } = ctx;

  /* Municipality autocomplete. */
  let suggestAbort = null;
  let suggestActive = -1;

  async function suggest() {
    const q = $('search-input').value.trim();
    const ul = $('search-suggestions');
    if (suggestAbort) suggestAbort.abort();
    if (q.length < 2) {
      hideSuggestions();
      return;
    }
    suggestAbort = new AbortController();
    let data;
    try {
      data = await api('/v1/municipalities', { q, limit: 8 }, { signal: suggestAbort.signal });
    } catch (e) {
      if (e.name === 'AbortError') return;
      hideSuggestions();
      say($('message'), errorText('what.search', e));
      return;
    }
    ul.innerHTML = '';
    suggestActive = -1;
    for (const m of data.municipalities) {
      const li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.dataset.testid = 'suggestion';
      li.dataset.code = m.code;
      li.innerHTML = escapeHtml(m.name) + ' <small>' + escapeHtml(m.okres || '') +
        (m.population ? ' · ' + formatInt(m.population) + '\u00a0' + t('inh') : '') + '</small>';
      li.addEventListener('mousedown', (ev) => {
        ev.preventDefault();
        chooseMunicipality(m);
      });
      ul.appendChild(li);
    }
    if (!data.municipalities.length) {
      const li = document.createElement('li');
      li.textContent = t('no.muni', { q });
      ul.appendChild(li);
    }
    ul.hidden = false;
    ul.dataset.q = q;
    $('search-input').setAttribute('aria-expanded', 'true');
    ul.municipalities = data.municipalities;
  }

  function hideSuggestions() {
    $('search-suggestions').hidden = true;
    $('search-input').setAttribute('aria-expanded', 'false');
  }

  function chooseMunicipality(m) {
    hideSuggestions();
    $('search-input').value = m.name;
    map.setView([m.lat, m.lon], Math.max(map.getZoom(), 12));
    ctx.dispatcher.queryPoint({ lon: m.lon, lat: m.lat });
  }

  function suggestKeys(ev) {
    const ul = $('search-suggestions');
    const items = Array.from(ul.querySelectorAll('li[data-code]'));
    if (ul.hidden || !items.length) return;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      suggestActive = (suggestActive + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      items.forEach((li, i) => li.setAttribute('aria-selected', i === suggestActive ? 'true' : 'false'));
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      chooseMunicipality(ul.municipalities[Math.max(suggestActive, 0)]);
    } else if (ev.key === 'Escape') {
      hideSuggestions();
    }
  }

  return { suggest, suggestKeys, hideSuggestions };
}
