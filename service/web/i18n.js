/* service/web/i18n.js -- the page's texts in Czech (default) and English, and number formats.
 *
 * window.kkcI18n: t(key, params) gives the text of key in the current language with {name}
 * placeholders filled; setLang(lang) switches, rewrites every element that carries
 * data-i18n="key" (its text) or data-i18n-attr="attr:key;attr:key" and sets <html lang>;
 * num(x, digits), int(n) and share(x) format numbers with Intl for the language (Czech: a
 * narrow no-break space between thousands and a decimal comma, "99,0 %"). The language is
 * chosen by ?lang= / #…&lang= in the address, then the stored choice, then Czech. */
(function () {
  'use strict';

  const TEXTS = {
    cs: {
      'title': 'KKC — nejbližší složky IZS',
      'panel.toggle': 'Zobrazit nebo skrýt panel',
      'views': 'Pohled', 'view.dispatcher': 'Dispečer', 'view.planner': 'Plánování',
      'areas': 'Oblast', 'area.khk.title': 'Královéhradecký kraj (Hradec Králové)',
      'area.heidelberg.title': 'Heidelberg (data OpenStreetMap)',
      'lang.switch': 'English', 'lang.switch.title': 'Switch to English',
      'panel': 'Panel', 'map': 'Mapa',
      'incident.h': 'Místo události',
      'incident.hint': 'Klikněte do mapy, zadejte souřadnice nebo vyhledejte obec.',
      'search.label': 'Obec, místo nebo adresa', 'search.placeholder': 'např. Hradec Králové',
      'coord.label': 'Souřadnice', 'coord.placeholder': '50,21, 15,83  nebo  -641213, -1042283',
      'coord.crs': 'Souřadnicový systém', 'crs.auto': 'automaticky',
      'crs.wgs84': 'WGS84 zem. délka, šířka', 'crs.latlon': 'WGS84 zem. šířka, délka',
      'crs.sjtsk': 'S-JTSK x, y (EPSG:5514)', 'go': 'Hledat',
      'k.label': 'Nejbližších', 'kind.label': 'Druh', 'by.label': 'Řadit podle',
      'kind.any': 'všechny', 'kind.izs': 'IZS (nejbližší od každého druhu)',
      'kind.police': 'policie', 'kind.fire': 'hasiči', 'kind.ambulance': 'záchranná služba',
      'kind.closed': 'uzavřené', 'kind.added': 'přidané',
      'by.distance': 'vzdálenosti', 'by.time': 'doby jízdy',
      'results': 'Nejbližší složky', 'loading': 'Hledám…',
      'coverage.h': 'Pokrytí',
      'planner.hint': 'Zvolte druh a práh, spočítejte pokrytí a nástrojem zavřete středisko nebo přidejte stanoviště; čísla ukážou rozdíl proti stavu před změnou.',
      'within': 'Do', 'unit': 'Jednotka prahu', 'unit.minutes': 'minut po silnici',
      'unit.km': 'km vzdušnou čarou',
      'planner.run': 'Spočítat pokrytí', 'planner.isochrones': 'Izochrony',
      'planner.suggest': 'Navrhnout stanoviště', 'planner.reset': 'Zrušit změny',
      'fig.covered': 'Pokryto', 'fig.region': 'Oblast', 'fig.population': 'Pokryté obyvatelstvo',
      'fig.area': 'Pokrytá plocha', 'fig.uncovered': 'Nepokryté obce',
      'whatif.h': 'Co kdyby', 'uncovered.h': 'Nepokryté obce', 'suggestions': 'Navržená stanoviště',
      'legend': 'Legenda',
      'err.network': 'server není dostupný ({detail})', 'err.notjson': 'odpověď není JSON',
      'err.noendpoint': '{what}: tento server to zatím neumí ({detail}).',
      'what.nearest': 'Nejbližší složky', 'what.route': 'Trasa', 'what.search': 'Hledání obce',
      'what.coverage': 'Pokrytí', 'what.isochrones': 'Izochrony', 'what.suggest': 'Návrh stanovišť',
      'what.centres': 'Střediska', 'what.layers': 'Mapové vrstvy', 'what.coords': 'Souřadnice',
      'coord.two': 'zadejte dvě čísla: zem. šířku a délku (WGS84, i s desetinnou čárkou nebo ve stupních, minutách a vteřinách) nebo x, y (S-JTSK, EPSG:5514)',
      'coord.latlon': 'Čteno jako zem. šířka, délka (pořadí Mapy.cz a Google): {lat} s. š., {lon} v. d.',
      'coord.swapped': 'Čteno jako zem. délka, šířka (v opačném pořadí by bod ležel mimo data): {lat} s. š., {lon} v. d.',
      'coord.swap.offer': 'Použít obrácené pořadí',
      'outside': 'Bod leží mimo načtená data: nejbližší středisko je {dist} daleko. Zkontrolujte souřadnice.',
      'noroads': 'V této oblasti nejsou načtené silnice: doby jízdy a trasy zde nejsou k dispozici, výsledky jsou vzdušnou čarou.',
      'incident.at': 'Událost: {lat} s. š., {lon} v. d.', 'incident.marker': 'Událost',
      'none.kind': 'Žádné středisko tohoto druhu v datech není.',
      'straight': 'vzdušnou čarou', 'by.road': 'po silnici', 'no.route': 'bez trasy',
      'route.from': 'Trasa z {name}: {dur}, {dist} po silnici.',
      'route.gap': 'Trasa končí na silnici {gap} od místa události (čárkovaně).',
      'route.show': 'Trasa', 'phone': 'Telefon', 'email': 'E-mail', 'address': 'Adresa',
      'inh': 'obyv.', 'no.muni': 'žádná obec nezačíná na „{q}“',
      'of': '{a} z {b}', 'of.population': 'obyvatelstva', 'of.area': 'plochy (bez sčítání)',
      'off.roads': '({n} mimo silnice)', 'too.far': '{d} příliš daleko',
      'iso.minutes': 'Izochrony jsou doby jízdy: zvolte práh v minutách.',
      'iso.done': 'Izochrona {m} min {whom}{area}.', 'iso.from': 'z {id}',
      'iso.every': 'všech středisek druhu {kind}',
      'suggested': 'Navrženo {n} stanovišť{method}{after}. Kliknutím je přidáte.',
      'suggested.after': ': se všemi pokryto {share}', 'suggested.none': 'Žádné nové stanoviště by nepokrylo víc lidí.',
      'suggested.added': ' Přidaná stanoviště ({n}) se počítají jako stávající.',
      'then.covered': 'pak pokryto {share}', 'click.add': 'přidat', 'add.title': 'Přidat jako co kdyby',
      'closed.item': 'zavřeno: {name}', 'added.item': 'přidáno: {where}', 'reopen': 'znovu otevřít',
      'remove': 'odebrat', 'added.popup': 'Přidané stanoviště (co kdyby)', 'closed': 'zavřeno',
      'popup.close': 'Zavřít (co kdyby)', 'popup.reopen': 'Znovu otevřít (co kdyby)',
      'popup.isochrone': 'Izochrona',
      'tools': 'Nástroj', 'tool.inspect': 'Prohlížet', 'tool.close': 'Zavřít středisko',
      'tool.add': 'Přidat stanoviště',
      'tool.hint.inspect': 'Klepnutí na středisko ukáže jeho údaje; mapa se klepnutím nemění.',
      'tool.hint.close': 'Klepněte na středisko: zavře se jako co kdyby (další klepnutí ho otevře).',
      'tool.hint.add': 'Klepněte do mapy: přidá se tam stanoviště jako co kdyby.',
      'close.pick': 'Středisko', 'close.go': 'Zavřít', 'add.centre': 'Přidat ve středu mapy',
      'delta.before': 'před změnou {v}', 'delta.pp': 'p. b.',
      'status.coverage': 'Pokryto {share}.', 'status.delta': 'Před změnou {before}, rozdíl {delta}.',
      'status.closed': 'Zavřeno: {name}.', 'status.reopened': 'Znovu otevřeno: {name}.',
      'status.added': 'Přidáno stanoviště {where}.', 'status.removed': 'Stanoviště odebráno.',
      'legend.boundary': 'hranice státu, kraje, ORP', 'legend.road': 'silnice',
      'legend.municipality': 'obec', 'legend.incident': 'místo události',
      'legend.straight': 'vzdušná čára (barvou druhu)', 'legend.route': 'trasa',
      'legend.routegap': 'úsek mimo silnici', 'legend.closure': 'uzavírka',
      'legend.service': 'pokryté území', 'legend.gap': 'mezera v pokrytí',
      'legend.uncovered': 'nepokrytá obec', 'legend.suggested': 'navržené stanoviště',
      'legend.isochrone': 'izochrona',
      'place.place': 'místo', 'place.street': 'ulice', 'place.address': 'adresa',
      'search.found': 'Nalezeno míst: {n}.',
      'avoid.start': 'Objízdná oblast', 'avoid.start.title': 'kreslit oblast, které se trasy vyhnou (klikáním do mapy)',
      'avoid.done': 'Hotovo', 'avoid.done.title': 'uzavřít oblast; trasy a nejbližší podle času se jí vyhnou',
      'avoid.cancel': 'Zrušit', 'avoid.cancel.title': 'odstranit oblast',
      'closure.revoked': 'do odvolání', 'closure.closed': 'uzavřeno', 'closure.slowed': 'zpomaleno ×{f}',
      'closure.dir.both': 'oba směry', 'closure.dir.forward': 've směru cesty',
      'closure.dir.backward': 'proti směru cesty', 'closure.valid': 'platí od {from} do {until}',
      'closure.source': 'zdroj: {source}, č. {id}',
      'steps': 'Popis trasy', 'step.maneuver': '{type} {modifier}', 'step.on': 'po {name}',
      'maneuver.depart': 'Vyjeďte', 'maneuver.arrive': 'Cíl', 'maneuver.turn': 'Odbočte',
      'maneuver.continue': 'Pokračujte', 'maneuver.roundabout': 'Kruhový objezd',
      'maneuver.merge': 'Připojte se', 'maneuver.fork': 'Na rozcestí',
      'maneuver.left': 'vlevo', 'maneuver.right': 'vpravo', 'maneuver.straight': 'rovně',
      'maneuver.slight left': 'mírně vlevo', 'maneuver.slight right': 'mírně vpravo',
      'maneuver.sharp left': 'ostře vlevo', 'maneuver.sharp right': 'ostře vpravo',
      'maneuver.uturn': 'otočte se',
      'share.pop': 'podíl obyvatelstva', 'share.area': 'podíl plochy',
    },
    en: {
      'title': 'KKC — nearest emergency centres',
      'panel.toggle': 'Show or hide the panel',
      'views': 'View', 'view.dispatcher': 'Dispatcher', 'view.planner': 'Planner',
      'areas': 'Area', 'area.khk.title': 'Královéhradecký kraj (Hradec Králové)',
      'area.heidelberg.title': 'Heidelberg (OpenStreetMap data)',
      'lang.switch': 'Česky', 'lang.switch.title': 'Přepnout do češtiny',
      'panel': 'Panel', 'map': 'Map',
      'incident.h': 'Incident location',
      'incident.hint': 'Click the map, type coordinates or search a municipality.',
      'search.label': 'Municipality, place or address', 'search.placeholder': 'e.g. Hradec Králové',
      'coord.label': 'Coordinates', 'coord.placeholder': '50.21, 15.83  or  -641213, -1042283',
      'coord.crs': 'Coordinate system', 'crs.auto': 'auto', 'crs.wgs84': 'WGS84 lon, lat',
      'crs.latlon': 'WGS84 lat, lon', 'crs.sjtsk': 'S-JTSK x, y (EPSG:5514)', 'go': 'Go',
      'k.label': 'Nearest', 'kind.label': 'Kind', 'by.label': 'Rank by',
      'kind.any': 'any', 'kind.izs': 'IZS (nearest of each kind)',
      'kind.police': 'police', 'kind.fire': 'fire', 'kind.ambulance': 'ambulance',
      'kind.closed': 'closed', 'kind.added': 'added',
      'by.distance': 'distance', 'by.time': 'drive time',
      'results': 'Nearest centres', 'loading': 'Searching…',
      'coverage.h': 'Coverage',
      'planner.hint': 'Choose a kind and a threshold, compute the coverage, then close a centre or add a site with a tool; the figures show the difference from before.',
      'within': 'Within', 'unit': 'Threshold unit', 'unit.minutes': 'minutes by road',
      'unit.km': 'km straight line',
      'planner.run': 'Compute coverage', 'planner.isochrones': 'Isochrones',
      'planner.suggest': 'Suggest sites', 'planner.reset': 'Reset what-if',
      'fig.covered': 'Covered', 'fig.region': 'Region', 'fig.population': 'Population covered',
      'fig.area': 'Area covered', 'fig.uncovered': 'Uncovered municipalities',
      'whatif.h': 'What-if', 'uncovered.h': 'Uncovered municipalities', 'suggestions': 'Suggested sites',
      'legend': 'Legend',
      'err.network': 'the server cannot be reached ({detail})', 'err.notjson': 'the answer is not JSON',
      'err.noendpoint': '{what}: not available on this server yet ({detail}).',
      'what.nearest': 'Nearest centres', 'what.route': 'Route', 'what.search': 'Municipality search',
      'what.coverage': 'Coverage', 'what.isochrones': 'Isochrones', 'what.suggest': 'Suggest sites',
      'what.centres': 'Centres', 'what.layers': 'Map layers', 'what.coords': 'Coordinates',
      'coord.two': 'type two numbers: lat, lon (WGS84, also with a decimal comma or in degrees, minutes and seconds) or x, y (S-JTSK, EPSG:5514)',
      'coord.latlon': 'Read as latitude, longitude (the order of Mapy.cz and Google): {lat} N, {lon} E',
      'coord.swapped': 'Read as longitude, latitude (the other order lies outside the data): {lat} N, {lon} E',
      'coord.swap.offer': 'Use the other order',
      'outside': 'The point is outside the loaded data: the nearest centre is {dist} away. Check the coordinates.',
      'noroads': 'No roads are loaded in this area: drive times and routes are not available here; results are straight-line.',
      'incident.at': 'Incident at {lat} N, {lon} E', 'incident.marker': 'Incident',
      'none.kind': 'No centre of that kind is in the data.',
      'straight': 'straight line', 'by.road': 'by road', 'no.route': 'no route',
      'route.from': 'Route from {name}: {dur}, {dist} by road.',
      'route.gap': 'The route ends on the road {gap} from the incident (dashed).',
      'route.show': 'Route', 'phone': 'Phone', 'email': 'E-mail', 'address': 'Address',
      'inh': 'inh.', 'no.muni': 'no municipality starts with "{q}"',
      'of': '{a} of {b}', 'of.population': 'of the population', 'of.area': 'of the area (no census)',
      'off.roads': '({n} off the roads)', 'too.far': '{d} too far',
      'iso.minutes': 'Isochrones are drive times: choose a threshold in minutes.',
      'iso.done': 'Isochrone, {m} min {whom}{area}.', 'iso.from': 'from {id}',
      'iso.every': 'of every {kind} centre',
      'suggested': 'Suggested {n} site(s){method}{after}. Click one to add it as a what-if.',
      'suggested.after': ': {share} covered with all of them', 'suggested.none': 'No new site would cover anyone more.',
      'suggested.added': ' The sites you added ({n}) count as existing ones.',
      'then.covered': 'then {share} covered', 'click.add': 'add', 'add.title': 'Add this site as a what-if',
      'closed.item': 'closed: {name}', 'added.item': 'added: {where}', 'reopen': 'reopen',
      'remove': 'remove', 'added.popup': 'Added site (what-if)', 'closed': 'closed',
      'popup.close': 'Close (what-if)', 'popup.reopen': 'Reopen (what-if)',
      'popup.isochrone': 'Isochrone',
      'tools': 'Tool', 'tool.inspect': 'Inspect', 'tool.close': 'Close a centre',
      'tool.add': 'Add a site',
      'tool.hint.inspect': 'A click on a centre shows its details; map clicks change nothing.',
      'tool.hint.close': 'Click a centre to close it as a what-if (click again to reopen).',
      'tool.hint.add': 'Click the map to add a site there as a what-if.',
      'close.pick': 'Centre', 'close.go': 'Close', 'add.centre': 'Add at the map centre',
      'delta.before': 'before {v}', 'delta.pp': 'pp',
      'status.coverage': '{share} covered.', 'status.delta': 'Before the change {before}, difference {delta}.',
      'status.closed': 'Closed: {name}.', 'status.reopened': 'Reopened: {name}.',
      'status.added': 'Site added at {where}.', 'status.removed': 'Site removed.',
      'legend.boundary': 'country, kraj, ORP border', 'legend.road': 'road',
      'legend.municipality': 'municipality', 'legend.incident': 'incident',
      'legend.straight': 'straight line (in the kind\'s colour)', 'legend.route': 'route',
      'legend.routegap': 'stretch off the road', 'legend.closure': 'road closure',
      'legend.service': 'covered area', 'legend.gap': 'coverage gap',
      'legend.uncovered': 'uncovered municipality', 'legend.suggested': 'suggested site',
      'legend.isochrone': 'isochrone',
      'place.place': 'place', 'place.street': 'street', 'place.address': 'address',
      'search.found': '{n} place(s) found.',
      'avoid.start': 'Avoid area', 'avoid.start.title': 'draw an area the routes keep out of (click the map)',
      'avoid.done': 'Done', 'avoid.done.title': 'close the area; routes and nearest-by-time avoid it',
      'avoid.cancel': 'Cancel', 'avoid.cancel.title': 'remove the area',
      'closure.revoked': 'until revoked', 'closure.closed': 'closed', 'closure.slowed': 'slowed ×{f}',
      'closure.dir.both': 'both directions', 'closure.dir.forward': 'along the way',
      'closure.dir.backward': 'against the way', 'closure.valid': 'valid from {from} to {until}',
      'closure.source': 'source: {source}, no. {id}',
      'steps': 'Directions', 'step.maneuver': '{type} {modifier}', 'step.on': 'on {name}',
      'maneuver.depart': 'Depart', 'maneuver.arrive': 'Arrive', 'maneuver.turn': 'Turn',
      'maneuver.continue': 'Continue', 'maneuver.roundabout': 'Roundabout',
      'maneuver.merge': 'Merge', 'maneuver.fork': 'At the fork',
      'maneuver.left': 'left', 'maneuver.right': 'right', 'maneuver.straight': 'straight on',
      'maneuver.slight left': 'slightly left', 'maneuver.slight right': 'slightly right',
      'maneuver.sharp left': 'sharp left', 'maneuver.sharp right': 'sharp right',
      'maneuver.uturn': 'make a U-turn',
      'share.pop': 'share of the population', 'share.area': 'share of the area',
    },
  };
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
    get lang() { return lang; }, TEXTS,
  };
})();
