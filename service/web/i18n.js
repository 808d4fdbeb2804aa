/* service/web/i18n.js -- the page's texts in Czech (default) and English, and number formats.
 *
 * window.kkcI18n: t(key, params) gives the text of key in the current language with {name}
 * placeholders filled; setLang(lang) switches, rewrites every element that carries
 * data-i18n="key" (its text) or data-i18n-attr="attr:key;attr:key" and sets <html lang>;
 * num(x, digits), int(n) and share(x) format numbers with Intl for the language (Czech: a
 * narrow no-break space between thousands and a decimal comma, "99,0 %"). The language is
 * chosen by ?lang= / #…&lang= in the address, then the stored choice, then Czech. The texts are
 * one table, each key with its Czech and English side by side; byLang(table) splits such a
 * table into one object per language (TEXTS here, the report's texts in report.js). */
(function () {
  'use strict';

  /* Every text of the page: key -> [Czech, English]. */
  const MESSAGES = {
    'title': ['KKC — nejbližší složky IZS', 'KKC — nearest emergency centres'],
    'panel.toggle': ['Zobrazit nebo skrýt panel', 'Show or hide the panel'],
    'views': ['Pohled', 'View'], 'view.dispatcher': ['Dispečer', 'Dispatcher'],
    'view.planner': ['Plánování', 'Planner'],
    'areas': ['Oblast', 'Area'],
    'area.khk.title': ['Královéhradecký kraj (Hradec Králové)', 'Královéhradecký kraj (Hradec Králové)'],
    'area.heidelberg.title': ['Heidelberg (data OpenStreetMap)', 'Heidelberg (OpenStreetMap data)'],
    'lang.switch': ['English', 'Česky'], 'lang.switch.title': ['Switch to English', 'Přepnout do češtiny'],
    'panel': ['Panel', 'Panel'], 'map': ['Mapa', 'Map'],
    'incident.h': ['Místo události', 'Incident location'],
    'incident.hint': [
      'Klikněte do mapy, zadejte souřadnice nebo vyhledejte obec.',
      'Click the map, type coordinates or search a municipality.'],
    'search.label': ['Obec, místo nebo adresa', 'Municipality, place or address'],
    'search.placeholder': ['např. Hradec Králové', 'e.g. Hradec Králové'],
    'coord.label': ['Souřadnice', 'Coordinates'],
    'coord.placeholder': ['50,21, 15,83  nebo  -641213, -1042283', '50.21, 15.83  or  -641213, -1042283'],
    'coord.crs': ['Souřadnicový systém', 'Coordinate system'], 'crs.auto': ['automaticky', 'auto'],
    'crs.wgs84': ['WGS84 zem. délka, šířka', 'WGS84 lon, lat'],
    'crs.latlon': ['WGS84 zem. šířka, délka', 'WGS84 lat, lon'],
    'crs.sjtsk': ['S-JTSK x, y (EPSG:5514)', 'S-JTSK x, y (EPSG:5514)'], 'go': ['Hledat', 'Go'],
    'k.label': ['Nejbližších', 'Nearest'], 'kind.label': ['Druh', 'Kind'], 'by.label': ['Řadit podle', 'Rank by'],
    'kind.any': ['všechny', 'any'], 'kind.izs': ['IZS (nejbližší od každého druhu)', 'IZS (nearest of each kind)'],
    'kind.police': ['policie', 'police'], 'kind.fire': ['hasiči', 'fire'],
    'kind.ambulance': ['záchranná služba', 'ambulance'],
    'kind.closed': ['uzavřené', 'closed'], 'kind.added': ['přidané', 'added'],
    'by.distance': ['vzdálenosti', 'distance'], 'by.time': ['doby jízdy', 'drive time'],
    'results': ['Nejbližší složky', 'Nearest centres'], 'loading': ['Hledám…', 'Searching…'],
    'coverage.h': ['Pokrytí', 'Coverage'],
    'planner.hint': [
      'Zvolte druh a práh, spočítejte pokrytí a nástrojem zavřete středisko nebo přidejte stanoviště; čísla ukážou rozdíl proti stavu před změnou.',
      'Choose a kind and a threshold, compute the coverage, then close a centre or add a site with a tool; the figures show the difference from before.'],
    'within': ['Do', 'Within'], 'unit': ['Jednotka prahu', 'Threshold unit'],
    'unit.minutes': ['minut po silnici', 'minutes by road'],
    'unit.km': ['km vzdušnou čarou', 'km straight line'],
    'planner.run': ['Spočítat pokrytí', 'Compute coverage'], 'planner.isochrones': ['Izochrony', 'Isochrones'],
    'planner.suggest': ['Navrhnout stanoviště', 'Suggest sites'], 'planner.reset': ['Zrušit změny', 'Reset what-if'],
    'fig.covered': ['Pokryto', 'Covered'], 'fig.region': ['Oblast', 'Region'],
    'fig.population': ['Pokryté obyvatelstvo', 'Population covered'],
    'fig.area': ['Pokrytá plocha', 'Area covered'], 'fig.uncovered': ['Nepokryté obce', 'Uncovered municipalities'],
    'whatif.h': ['Co kdyby', 'What-if'], 'uncovered.h': ['Nepokryté obce', 'Uncovered municipalities'],
    'suggestions': ['Navržená stanoviště', 'Suggested sites'],
    'legend': ['Legenda', 'Legend'],
    'err.network': ['server není dostupný ({detail})', 'the server cannot be reached ({detail})'],
    'err.notjson': ['odpověď není JSON', 'the answer is not JSON'],
    'err.noendpoint': [
      '{what}: tento server to zatím neumí ({detail}).',
      '{what}: not available on this server yet ({detail}).'],
    'what.nearest': ['Nejbližší složky', 'Nearest centres'], 'what.route': ['Trasa', 'Route'],
    'what.search': ['Hledání obce', 'Municipality search'],
    'what.coverage': ['Pokrytí', 'Coverage'], 'what.isochrones': ['Izochrony', 'Isochrones'],
    'what.suggest': ['Návrh stanovišť', 'Suggest sites'],
    'what.centres': ['Střediska', 'Centres'], 'what.layers': ['Mapové vrstvy', 'Map layers'],
    'what.coords': ['Souřadnice', 'Coordinates'],
    'coord.two': [
      'zadejte dvě čísla: zem. šířku a délku (WGS84, i s desetinnou čárkou nebo ve stupních, minutách a vteřinách) nebo x, y (S-JTSK, EPSG:5514)',
      'type two numbers: lat, lon (WGS84, also with a decimal comma or in degrees, minutes and seconds) or x, y (S-JTSK, EPSG:5514)'],
    'coord.latlon': [
      'Čteno jako zem. šířka, délka (pořadí Mapy.cz a Google): {lat} s. š., {lon} v. d.',
      'Read as latitude, longitude (the order of Mapy.cz and Google): {lat} N, {lon} E'],
    'coord.swapped': [
      'Čteno jako zem. délka, šířka (v opačném pořadí by bod ležel mimo data): {lat} s. š., {lon} v. d.',
      'Read as longitude, latitude (the other order lies outside the data): {lat} N, {lon} E'],
    'coord.swap.offer': ['Použít obrácené pořadí', 'Use the other order'],
    'outside': [
      'Bod leží mimo načtená data: nejbližší středisko je {dist} daleko. Zkontrolujte souřadnice.',
      'The point is outside the loaded data: the nearest centre is {dist} away. Check the coordinates.'],
    'noroads': [
      'V této oblasti nejsou načtené silnice: doby jízdy a trasy zde nejsou k dispozici, výsledky jsou vzdušnou čarou.',
      'No roads are loaded in this area: drive times and routes are not available here; results are straight-line.'],
    'incident.at': ['Událost: {lat} s. š., {lon} v. d.', 'Incident at {lat} N, {lon} E'],
    'incident.marker': ['Událost', 'Incident'],
    'none.kind': ['Žádné středisko tohoto druhu v datech není.', 'No centre of that kind is in the data.'],
    'straight': ['vzdušnou čarou', 'straight line'], 'by.road': ['po silnici', 'by road'],
    'no.route': ['bez trasy', 'no route'],
    'route.from': ['Trasa z {name}: {dur}, {dist} po silnici.', 'Route from {name}: {dur}, {dist} by road.'],
    'route.gap': [
      'Trasa končí na silnici {gap} od místa události (čárkovaně).',
      'The route ends on the road {gap} from the incident (dashed).'],
    'route.show': ['Trasa', 'Route'], 'phone': ['Telefon', 'Phone'], 'email': ['E-mail', 'E-mail'],
    'address': ['Adresa', 'Address'],
    'inh': ['obyv.', 'inh.'], 'no.muni': ['žádná obec nezačíná na „{q}“', 'no municipality starts with "{q}"'],
    'of': ['{a} z {b}', '{a} of {b}'], 'of.population': ['obyvatelstva', 'of the population'],
    'of.area': ['plochy (bez sčítání)', 'of the area (no census)'],
    'off.roads': ['({n} mimo silnice)', '({n} off the roads)'], 'too.far': ['{d} příliš daleko', '{d} too far'],
    'iso.minutes': [
      'Izochrony jsou doby jízdy: zvolte práh v minutách.',
      'Isochrones are drive times: choose a threshold in minutes.'],
    'iso.done': ['Izochrona {m} min {whom}{area}.', 'Isochrone, {m} min {whom}{area}.'],
    'iso.from': ['z {id}', 'from {id}'],
    'iso.every': ['všech středisek druhu {kind}', 'of every {kind} centre'],
    'suggested': [
      'Navrženo {n} stanovišť{method}{after}. Kliknutím je přidáte.',
      'Suggested {n} site(s){method}{after}. Click one to add it as a what-if.'],
    'suggested.after': [': se všemi pokryto {share}', ': {share} covered with all of them'],
    'suggested.none': ['Žádné nové stanoviště by nepokrylo víc lidí.', 'No new site would cover anyone more.'],
    'suggested.added': [
      ' Přidaná stanoviště ({n}) se počítají jako stávající.',
      ' The sites you added ({n}) count as existing ones.'],
    'then.covered': ['pak pokryto {share}', 'then {share} covered'], 'click.add': ['přidat', 'add'],
    'add.title': ['Přidat jako co kdyby', 'Add this site as a what-if'],
    'closed.item': ['zavřeno: {name}', 'closed: {name}'], 'added.item': ['přidáno: {where}', 'added: {where}'],
    'reopen': ['znovu otevřít', 'reopen'],
    'remove': ['odebrat', 'remove'], 'added.popup': ['Přidané stanoviště (co kdyby)', 'Added site (what-if)'],
    'closed': ['zavřeno', 'closed'],
    'popup.close': ['Zavřít (co kdyby)', 'Close (what-if)'],
    'popup.reopen': ['Znovu otevřít (co kdyby)', 'Reopen (what-if)'],
    'popup.isochrone': ['Izochrona', 'Isochrone'],
    'tools': ['Nástroj', 'Tool'], 'tool.inspect': ['Prohlížet', 'Inspect'],
    'tool.close': ['Zavřít středisko', 'Close a centre'],
    'tool.add': ['Přidat stanoviště', 'Add a site'],
    'tool.hint.inspect': [
      'Klepnutí na středisko ukáže jeho údaje; mapa se klepnutím nemění.',
      'A click on a centre shows its details; map clicks change nothing.'],
    'tool.hint.close': [
      'Klepněte na středisko: zavře se jako co kdyby (další klepnutí ho otevře).',
      'Click a centre to close it as a what-if (click again to reopen).'],
    'tool.hint.add': [
      'Klepněte do mapy: přidá se tam stanoviště jako co kdyby.',
      'Click the map to add a site there as a what-if.'],
    'close.pick': ['Středisko', 'Centre'], 'close.go': ['Zavřít', 'Close'],
    'add.centre': ['Přidat ve středu mapy', 'Add at the map centre'],
    'delta.before': ['před změnou {v}', 'before {v}'], 'delta.pp': ['p. b.', 'pp'],
    'status.coverage': ['Pokryto {share}.', '{share} covered.'],
    'status.delta': ['Před změnou {before}, rozdíl {delta}.', 'Before the change {before}, difference {delta}.'],
    'status.closed': ['Zavřeno: {name}.', 'Closed: {name}.'],
    'status.reopened': ['Znovu otevřeno: {name}.', 'Reopened: {name}.'],
    'status.added': ['Přidáno stanoviště {where}.', 'Site added at {where}.'],
    'status.removed': ['Stanoviště odebráno.', 'Site removed.'],
    'legend.boundary': ['hranice státu, kraje, ORP', 'country, kraj, ORP border'], 'legend.road': ['silnice', 'road'],
    'legend.municipality': ['obec', 'municipality'], 'legend.incident': ['místo události', 'incident'],
    'legend.straight': ['vzdušná čára (barvou druhu)', 'straight line (in the kind\'s colour)'],
    'legend.route': ['trasa', 'route'],
    'legend.routegap': ['úsek mimo silnici', 'stretch off the road'], 'legend.closure': ['uzavírka', 'road closure'],
    'legend.service': ['pokryté území', 'covered area'], 'legend.gap': ['mezera v pokrytí', 'coverage gap'],
    'legend.uncovered': ['nepokrytá obec', 'uncovered municipality'],
    'legend.suggested': ['navržené stanoviště', 'suggested site'],
    'legend.isochrone': ['izochrona', 'isochrone'],
    'place.place': ['místo', 'place'], 'place.street': ['ulice', 'street'], 'place.address': ['adresa', 'address'],
    'search.found': ['Nalezeno míst: {n}.', '{n} place(s) found.'],
    'avoid.start': ['Objízdná oblast', 'Avoid area'],
    'avoid.start.title': [
      'kreslit oblast, které se trasy vyhnou (klikáním do mapy)',
      'draw an area the routes keep out of (click the map)'],
    'avoid.done': ['Hotovo', 'Done'],
    'avoid.done.title': [
      'uzavřít oblast; trasy a nejbližší podle času se jí vyhnou',
      'close the area; routes and nearest-by-time avoid it'],
    'avoid.cancel': ['Zrušit', 'Cancel'], 'avoid.cancel.title': ['odstranit oblast', 'remove the area'],
    'closure.revoked': ['do odvolání', 'until revoked'], 'closure.closed': ['uzavřeno', 'closed'],
    'closure.slowed': ['zpomaleno ×{f}', 'slowed ×{f}'],
    'closure.dir.both': ['oba směry', 'both directions'], 'closure.dir.forward': ['ve směru cesty', 'along the way'],
    'closure.dir.backward': ['proti směru cesty', 'against the way'],
    'closure.valid': ['platí od {from} do {until}', 'valid from {from} to {until}'],
    'closure.source': ['zdroj: {source}, č. {id}', 'source: {source}, no. {id}'],
    'steps': ['Popis trasy', 'Directions'], 'step.maneuver': ['{type} {modifier}', '{type} {modifier}'],
    'step.on': ['po {name}', 'on {name}'],
    'maneuver.depart': ['Vyjeďte', 'Depart'], 'maneuver.arrive': ['Cíl', 'Arrive'],
    'maneuver.turn': ['Odbočte', 'Turn'],
    'maneuver.continue': ['Pokračujte', 'Continue'], 'maneuver.roundabout': ['Kruhový objezd', 'Roundabout'],
    'maneuver.merge': ['Připojte se', 'Merge'], 'maneuver.fork': ['Na rozcestí', 'At the fork'],
    'maneuver.left': ['vlevo', 'left'], 'maneuver.right': ['vpravo', 'right'],
    'maneuver.straight': ['rovně', 'straight on'],
    'maneuver.slight left': ['mírně vlevo', 'slightly left'],
    'maneuver.slight right': ['mírně vpravo', 'slightly right'],
    'maneuver.sharp left': ['ostře vlevo', 'sharp left'], 'maneuver.sharp right': ['ostře vpravo', 'sharp right'],
    'maneuver.uturn': ['otočte se', 'make a U-turn'],
    'share.pop': ['podíl obyvatelstva', 'share of the population'], 'share.area': ['podíl plochy', 'share of the area'],
  };
  const LANGS = ['cs', 'en'];

  /* {key: [cs, en]} (a value may be such a table again) -> {cs: {key: cs}, en: {key: en}}. */
  function byLang(table) {
    const out = {};
    LANGS.forEach((l, i) => {
      out[l] = {};
      for (const [k, v] of Object.entries(table)) out[l][k] = Array.isArray(v) ? v[i] : byLang(v)[l];
    });
    return out;
  }
  const TEXTS = byLang(MESSAGES);
  const LOCALES = { cs: 'cs-CZ', en: 'en-GB' };

  function initialLang() {
    const m = /[?#&]lang=(cs|en)\b/.exec(location.search + location.hash);
    if (m) return m[1];
    try {
      const s = localStorage.getItem('kkc.lang');
      if (s === 'cs' || s === 'en') return s;
    } catch (e) {
      /* storage may be off: Czech */
    }
    return 'cs';
  }

  let lang = initialLang();

  function t(key, params) {
    const s = (TEXTS[lang] && TEXTS[lang][key]) || TEXTS.cs[key] || key;
    return s.replace(/\{(\w+)\}/g, (m, n) => (params && params[n] !== undefined ? params[n] : m));
  }

  function num(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return '–';
    return new Intl.NumberFormat(LOCALES[lang], {
      minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0,
    }).format(x);
  }

  function int(n) {
    return num(n === null || n === undefined ? n : Math.round(n), 0);
  }

  function share(x) {
    if (x === null || x === undefined || !isFinite(x)) return '–';
    return num(x * 100, 1) + '\u00a0%';
  }

  /* Rewrite the static texts of the page (data-i18n, data-i18n-attr) in the current language. */
  function apply(root) {
    const r = root || document;
    for (const el of r.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of r.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        el.setAttribute(attr, t(key));
      }
    }
    document.documentElement.lang = lang;
    document.title = t('title');
  }

  const listeners = [];

  function setLang(l) {
    if (!TEXTS[l]) return;
    lang = l;
    try {
      localStorage.setItem('kkc.lang', l);
    } catch (e) {
      /* not stored: fine */
    }
    apply();
    for (const fn of listeners) fn(l);
  }

  window.kkcI18n = {
    t, num, int, share, apply, setLang, onChange: (fn) => listeners.push(fn),
    get lang() { return lang; }, TEXTS, byLang,
  };
})();
