/* service/web/planner-tools.js -- the planner's explicit tools instead of side effects of clicks:
 * Inspect (a click on a centre shows its popup; map clicks change nothing), Close a centre (a
 * click on a centre closes or reopens it as a what-if) and Add a site (a map click adds one).
 * For the keyboard: a list of the kind's centres with a Close button, and "Add at the map
 * centre". ctx: {map, state, planner}. */
import { $ } from './util.js';

const t = window.kkcI18n.t;
const TOOLS = ['inspect', 'close', 'add'];

/* The page's context, given once by the create function below (the page makes one of each). */
let ctx;
let map, state;

function setTool(tool) {
  state.tool = TOOLS.includes(tool) ? tool : 'inspect';
  for (const name of TOOLS) {
    $('tool-' + name).setAttribute('aria-pressed', name === state.tool ? 'true' : 'false');
  }
  $('tool-hint').textContent = t('tool.hint.' + state.tool);
  map.getContainer().dataset.tool = state.tool;
}

/* The open centres of the planner's kind, by name, in the keyboard list. */
function fillCloseSelect() {
  const sel = $('close-select');
  const kind = $('planner-kind').value;
  const keep = sel.value;
  const items = Array.from(state.centres.values()).map((c) => c.feature.properties)
    .filter((p) => p.kind === kind && p.status !== 'closed' && !state.closed.has(p.id))
    .sort((a, b) => a.name.localeCompare(b.name, 'cs'));
  sel.innerHTML = '';
  for (const p of items) {
    const o = document.createElement('option');
    o.value = p.id;
    o.textContent = p.name + ' (' + p.id + ')';
    sel.appendChild(o);
  }
  if (items.some((p) => p.id === keep)) sel.value = keep;
  $('close-go').disabled = !items.length;
}

function wire() {
  for (const name of TOOLS) $('tool-' + name).addEventListener('click', () => setTool(name));
  $('close-go').addEventListener('click', () => {
    if ($('close-select').value) ctx.planner.toggleClosed($('close-select').value);
  });
  $('add-centre').addEventListener('click', () => {
    const c = map.getCenter();
    ctx.planner.addSite(L.Util.formatNum(c.lng, 6), L.Util.formatNum(c.lat, 6));
  });
  $('planner-kind').addEventListener('change', fillCloseSelect);
  setTool('inspect');
}

/* A map click in the planner: only the Add tool adds a site. */
function mapClick(lon, lat) {
  if (state.tool === 'add') ctx.planner.addSite(lon, lat);
}


export function createTools(c) {
  ctx = c;
  ({ map, state } = c);
  state.tool = 'inspect';
  return { setTool, fillCloseSelect, wire, mapClick };
}
