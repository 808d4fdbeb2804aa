/* service/web/coords.js -- typed incident coordinates in the forms dispatchers get them.
 *
 * window.kkcCoords.parse(text, crs, extent) -> {point, swapped, literal} or throws an Error
 * (message from kkcI18n 'coord.two'):
 *   - WGS84 decimal degrees with a point or a decimal comma: "50.21, 15.83", "50,21 15,83",
 *     "50,21; 15,83", "15.83 50.21";
 *   - degrees, minutes, seconds with or without hemisphere letters: 50°12'36"N 15°49'48"E,
 *     "50 12 36 N, 15 49 48 E", "N 50°12.6' E 15°49.8'";
 *   - S-JTSK (EPSG:5514) x, y, also the positive Y, X that Czech systems print.
 * crs: 'auto', 'wgs84' (lon, lat as written), 'latlon' (lat, lon as written) or 'sjtsk'.
 * In 'auto' WGS84 pairs are read as lat, lon (the order of Mapy.cz, Google and DMS) unless only
 * the other order falls inside extent ({minLon, minLat, maxLon, maxLat}, the loaded data);
 * swapped tells that the pair was read as lon, lat (only that order lies in the data); literal
 * is the other reading (null when it is no valid point) so the page can offer it. */
(function () {
  'use strict';

  const t = (k, p) => window.kkcI18n.t(k, p);

  /* One DMS coordinate: degrees [minutes [seconds]] with an optional hemisphere letter. */
  const DMS_RE = /([NSEWJVZ])?\s*(\d+(?:[.,]\d+)?)\s*°?\s*(?:(\d+(?:[.,]\d+)?)\s*['′]?\s*)?(?:(\d+(?:[.,]\d+)?)\s*(?:"|″|'')?\s*)?([NSEWJVZ])?/giy;
  const HEMI = { N: 'lat', S: 'lat', E: 'lon', W: 'lon', V: 'lon', Z: 'lon', J: 'lat' };
  const NEGATIVE = { S: true, W: true, Z: true, J: true };

  const dec = (s) => Number(String(s).replace(',', '.'));

  function isDms(text) {
    return /[°′″'"]/.test(text) || /\d\s*[NSEWJVZ]\b/i.test(text) || /^\s*[NSEWJVZ]\s*\d/i.test(text);
  }

  /* [{value, axis}] of two DMS coordinates, or null. */
  function parseDms(text) {
    const s = text.trim().replace(/[;,](?=\s|$)/g, ' ');
    const out = [];
    DMS_RE.lastIndex = 0;
    let pos = 0;
    while (pos < s.length && out.length < 3) {
      while (pos < s.length && /[\s,;]/.test(s[pos])) pos++;
      if (pos >= s.length) break;
      DMS_RE.lastIndex = pos;
      const m = DMS_RE.exec(s);
      if (!m || m[0].length === 0 || m[2] === undefined) return null;
      pos = DMS_RE.lastIndex;
      const letter = (m[1] || m[5] || '').toUpperCase();
      let v = dec(m[2]) + (m[3] ? dec(m[3]) / 60 : 0) + (m[4] ? dec(m[4]) / 3600 : 0);
      if ((m[3] && dec(m[3]) >= 60) || (m[4] && dec(m[4]) >= 60)) return null;
      if (NEGATIVE[letter]) v = -v;
      out.push({ value: v, axis: HEMI[letter] || null });
    }
    return out.length === 2 && out.every((c) => isFinite(c.value)) ? out : null;
  }

  /* Two plain numbers, accepting a decimal comma; null when the text is not two numbers. */
  function parsePlain(text) {
    const s = text.trim();
    let parts;
    if (s.includes(';')) parts = s.split(';');
    else if (/\s/.test(s.replace(/,\s+/g, ','))) parts = s.replace(/,\s+/g, ' ').split(/\s+/);
    else if (/,\s+/.test(s)) parts = s.split(/,\s+/);
    else if ((s.match(/,/g) || []).length === 1) parts = s.split(',');
    else if ((s.match(/,/g) || []).length === 3) {
      const i = s.indexOf(',', s.indexOf(',') + 1);
      parts = [s.slice(0, i), s.slice(i + 1)];
    } else parts = s.split(/\s+/);
    parts = parts.map((p) => p.trim().replace(/,$/, '')).filter(Boolean);
    if (parts.length !== 2 || !parts.every((p) => /^[+-]?\d+(?:[.,]\d+)?$/.test(p))) return null;
    return parts.map(dec);
  }

  function inside(extent, lon, lat) {
    return !!extent && lon >= extent.minLon && lon <= extent.maxLon && lat >= extent.minLat &&
      lat <= extent.maxLat;
  }

  /* a, b as written; the reading by crs and the extent (see the header). */
  function wgs(a, b, crs, extent, fixed) {
    if (crs === 'wgs84') return { point: { lon: a, lat: b }, swapped: false, literal: null };
    if (crs === 'latlon' || fixed) return { point: { lon: b, lat: a }, swapped: false, literal: null };
    const latlon = { lon: b, lat: a };
    const lonlat = { lon: a, lat: b };
    const okLatLon = Math.abs(a) <= 90 && inside(extent, b, a);
    const okLonLat = Math.abs(b) <= 90 && inside(extent, a, b);
    const other = (p) => (Math.abs(p.lat) <= 90 ? p : null);
    if (okLonLat && !okLatLon) return { point: lonlat, swapped: true, literal: other(latlon) };
    if (Math.abs(a) > 90 && Math.abs(b) <= 90) return { point: lonlat, swapped: true, literal: null };
    return { point: latlon, swapped: false, literal: other(lonlat) };
  }

  function parse(text, crs, extent) {
    const fail = () => { throw new Error(t('coord.two')); };
    if (crs !== 'sjtsk' && isDms(text)) {
      const d = parseDms(text) || fail();
      if (d[0].axis === 'lon' || d[1].axis === 'lat') {
        return { point: { lon: d[0].value, lat: d[1].value }, swapped: false, literal: null };
      }
      return wgs(d[0].value, d[1].value, crs === 'auto' ? 'latlon' : crs, extent, !!d[0].axis);
    }
    const nums = parsePlain(text) || fail();
    let [a, b] = nums;
    const big = Math.abs(a) > 1000 && Math.abs(b) > 1000;
    if (crs === 'sjtsk' || (crs === 'auto' && big)) {
      /* Czech systems often print S-JTSK as positive Y, X; EPSG:5514 is their negation. */
      if (a > 0 && b > 0) {
        a = -a;
        b = -b;
      }
      return { point: { x: a, y: b, crs: 'EPSG:5514' }, swapped: false, literal: null };
    }
    return wgs(a, b, crs, extent, false);
  }

  window.kkcCoords = { parse, parseDms, parsePlain };
})();
