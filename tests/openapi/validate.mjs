// tests/openapi/validate.mjs -- checks service/openapi.json against reality.
//
//   node validate.mjs SPEC MANIFEST API_C
//
// 1. SPEC is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator).
// 2. Every response recorded in MANIFEST (one JSON object a line: method, path -- the spec's path
//    template --, status, expect -- the status the request was meant to get --, type -- the
//    Content-Type --, file -- the body, note) has the expected status and is documented: the
//    status for that operation, the media type, and the body valid against the schema (Ajv,
//    JSON Schema 2020-12; application/x-ndjson bodies line by line; /metrics as Prometheus text).
// 3. Every operation of SPEC was exercised by at least one recorded response.
// 4. Every route of API_C's routes[] table (and its methods) is in SPEC.
// Prints one line per check and "N passed, N failed"; exits 1 on any failure.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [specPath, manifestPath, apiPath] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, "utf8"));
let passed = 0;
let failed = 0;
const check = (ok, what, detail) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || !detail ? "" : `: ${detail}`}`);
};

// ---- 1. the document itself
const docCheck = await new Validator().validate(specPath);
check(docCheck.valid, "openapi.json is a valid OpenAPI 3.1 document",
  JSON.stringify(docCheck.errors)?.slice(0, 800));

// ---- helpers: JSON pointers into the spec, following $ref
const esc = (s) => s.replace(/~/g, "~0").replace(/\//g, "~1");
const at = (ptr) => ptr.split("/").slice(1).reduce((o, k) => o?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
const deref = (ptr) => {
  let node = at(ptr);
  while (node && node.$ref) {
    ptr = node.$ref.slice(1);
    node = at(ptr);
  }
  return [ptr, node];
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, "openapi.json");
const compiled = new Map();
const validatorAt = (ptr) => {
  if (!compiled.has(ptr)) compiled.set(ptr, ajv.compile({ $ref: `openapi.json#${ptr}` }));
  return compiled.get(ptr);
};

const promLine = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$/;
const checkProm = (text) => {
  const bad = text.split("\n").filter((l) => l && !l.startsWith("# HELP ") && !l.startsWith("# TYPE ") && !promLine.test(l));
  return bad.length ? `lines not in the text format: ${bad.slice(0, 3).join(" | ")}` : null;
};

// ---- 2. the recorded responses
const seen = new Set();
const cases = readFileSync(manifestPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
for (const c of cases) {
  const what = `${c.method} ${c.path} -> ${c.status} (${c.note || c.type || "no body"})`;
  if (c.expect && String(c.expect) !== String(c.status)) {
    check(false, what, `expected status ${c.expect}`);
    continue;
  }
  const opPtr = `/paths/${esc(c.path)}/${c.method.toLowerCase()}`;
  const op = at(opPtr);
  if (!op && c.status === "405" && at(`/paths/${esc(c.path)}`)) {
    const v = validatorAt("/components/schemas/Error");
    check(v(JSON.parse(readFileSync(c.file, "utf8"))), what, "not an Error object");
    continue;
  }
  if (!op) {
    check(false, what, "the operation is not in openapi.json");
    continue;
  }
  seen.add(`${c.method.toLowerCase()} ${c.path}`);
  const [respPtr, resp] = deref(`${opPtr}/responses/${c.status}`);
  if (!resp) {
    check(false, what, `status ${c.status} is not documented`);
    continue;
  }
  const body = readFileSync(c.file, "utf8");
  if (!resp.content) {
    check(body.length === 0, what, "a body where none is documented");
    continue;
  }
  const media = (c.type || "").split(";")[0].trim().toLowerCase();
  if (!resp.content[media]) {
    check(false, what, `media type '${media}' is not documented (${Object.keys(resp.content)})`);
    continue;
  }
  const schemaPtr = `${respPtr}/content/${esc(media)}/schema`;
  let problem = null;
  if (media === "text/plain") {
    problem = c.path === "/metrics" ? checkProm(body) : null;
  } else {
    const validate = validatorAt(schemaPtr);
    const docs = media === "application/x-ndjson" ? body.split("\n").filter(Boolean) : [body];
    for (const d of docs) {
      let v;
      try {
        v = JSON.parse(d);
      } catch (e) {
        problem = `not JSON: ${e.message}`;
        break;
      }
      if (!validate(v)) {
        problem = ajv.errorsText(validate.errors.slice(0, 4));
        break;
      }
    }
  }
  check(!problem, what, problem);
}

// ---- 3. every documented operation exercised
for (const [p, item] of Object.entries(spec.paths)) {
  for (const m of ["get", "post", "put", "delete", "patch"]) {
    if (item[m]) check(seen.has(`${m} ${p}`), `${m.toUpperCase()} ${p} was exercised`, "no recorded response");
  }
}

// ---- 4. every served route documented
const api = readFileSync(apiPath, "utf8");
const table = api.slice(api.indexOf("routes[] = {"), api.indexOf("};", api.indexOf("routes[] = {")));
// rows: {.path = "...", .get = fn, ...} (fields left out: no handler) or OSRM_SERVICE("name")
const rows = [...table.matchAll(/\{\.path = "([^"]+)"((?:"[^"]*"|[^"}])*)\}|OSRM_SERVICE\("(\w+)"\)/g)].map((m) => {
  if (m[3]) return { route: `/${m[3]}/v1/*`, get: "api_osrm_dispatch", post: "NULL", put: "NULL", del: "NULL" };
  const h = (f) => (m[2].match(new RegExp(`\\.${f} = (\\w+)`)) || [, "NULL"])[1];
  return { route: m[1], get: h("get"), post: h("post"), put: h("put"), del: h("del") };
});
check(rows.length >= 20 && rows.length === (table.match(/^\s+(\{\.path|OSRM_SERVICE\()/gm) || []).length,
  `routes[] read: ${rows.length} rows`, "the table's layout is not what this check reads");
for (const { route, get, post, put, del } of rows) {
  const osrm = route.match(/^\/(route|nearest|table)\/v1\/\*$/);
  const path = osrm ? `/${osrm[1]}/v1/{profile}/{coordinates}`
    : route.endsWith("/") ? Object.keys(spec.paths).find((p) => p.startsWith(route) && /^\{[^/]+\}$/.test(p.slice(route.length))) : route;
  const methods = [["get", get], ["post", post], ["put", put], ["delete", del]].filter(([, h]) => h !== "NULL");
  for (const [meth] of methods)
    check(path && spec.paths[path]?.[meth], osrm ? `OSRM /${osrm[1]}/v1 is documented` : `route ${meth.toUpperCase()} ${route} is documented`, "missing from openapi.json");
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
