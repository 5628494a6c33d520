/**
 * The audit as one self-contained HTML file (`npm run audit -- --html FILE`): summary figures, per connection
 * a stacked bar of each tracked attribute's sources, violations by rule with the ids of up to ten users
 * each, the drift, denied logins and signups, and with --compare what changed. Charts are Vega-Lite specs
 * rendered to SVG by Vega while the file is written: no script, no network, it opens from disk. The data of
 * every chart comes from the report `--json` prints, which the file embeds as it is. Colours are the
 * Okabe–Ito palette (told apart with the common colour-vision deficiencies); every chart has a text
 * alternative and its numbers in a table.
 */
import { ROOT_ATTRIBUTES } from '../../actions/lib/attributes';
import { changeLine, changesHeading } from './compare';
import type { AuditReport } from './report';
import { coverageOf, STANDINGS, type Standing } from './users';

const PALETTE: Record<Standing, string> = {
  signup: '#E69F00',
  import: '#56B4E9',
  management_api: '#009E73',
  idp: '#0072B2',
  unknown: '#F0E442',
  changed: '#D55E00',
  none: '#999999',
};
const SINGLE = '#0072B2';

/** One chart: its id (for tests and links), a title, the text alternative, the rows it draws, and its Vega-Lite spec. */
export interface Chart {
  id: string;
  title: string;
  summary: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  spec: Record<string, unknown>;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const number = (value: number) => value.toLocaleString('en');

function sourceCharts(report: AuditReport): Chart[] {
  const users = report.users;
  if (!users) return [];
  return Object.entries(users.sources)
    .sort()
    .map(([connection, attributes]) => {
      const values = ROOT_ATTRIBUTES.flatMap((attribute) => STANDINGS.filter((standing) => (attributes[attribute]?.[standing] ?? 0) > 0).map((standing) => ({ attribute, source: standing, users: attributes[attribute]?.[standing] ?? 0, order: STANDINGS.indexOf(standing) })));
      const total = (standing: Standing) => values.filter((value) => value.source === standing).reduce((sum, value) => sum + value.users, 0);
      const summary = `Sources of root attributes on ${connection}: ${STANDINGS.filter((standing) => total(standing) > 0).map((standing) => `${standing} ${number(total(standing))}`).join(', ')} (attribute values, summed over ${values.length === 0 ? 'no' : new Set(values.map((value) => value.attribute)).size} attributes).`;
      return {
        id: `sources-${connection}`,
        title: `Where ${connection}'s root attributes come from`,
        summary,
        columns: ['attribute', 'source', 'users'],
        rows: values.map((value) => [value.attribute, value.source, value.users]),
        spec: {
          description: summary,
          width: 560,
          data: { values },
          mark: { type: 'bar', tooltip: false },
          encoding: {
            y: { field: 'attribute', type: 'nominal', sort: [...ROOT_ATTRIBUTES], title: null },
            x: { field: 'users', type: 'quantitative', stack: 'zero', title: 'users', axis: { tickMinStep: 1, format: ',d' } },
            color: { field: 'source', type: 'nominal', title: 'source', scale: { domain: [...STANDINGS], range: STANDINGS.map((standing) => PALETTE[standing]) } },
            order: { field: 'order', type: 'quantitative' },
          },
        },
      };
    });
}

function barChart(id: string, title: string, category: string, counts: Record<string, number>, summaryOf: (entries: Array<[string, number]>) => string): Chart | undefined {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) return undefined;
  const summary = summaryOf(entries);
  const values = entries.map(([key, count]) => ({ [category]: key, count }));
  return {
    id,
    title,
    summary,
    columns: [category, 'count'],
    rows: entries.map(([key, count]) => [key, count]),
    spec: {
      description: summary,
      width: 560,
      data: { values },
      mark: { type: 'bar', color: SINGLE, tooltip: false },
      encoding: {
        y: { field: category, type: 'nominal', sort: entries.map(([key]) => key), title: null },
        x: { field: 'count', type: 'quantitative', title: 'count', axis: { tickMinStep: 1, format: ',d' } },
      },
    },
  };
}

/** Every chart of the report, with the data it draws (the tests compare these with the JSON report). */
export function auditCharts(report: AuditReport): Chart[] {
  const charts: Chart[] = [...sourceCharts(report)];
  const violations = report.users ? barChart('violations', 'Violations by rule', 'rule', report.users.byCode, (entries) => `Violations by rule: ${entries.map(([code, count]) => `${code} ${number(count)}`).join(', ')}.`) : undefined;
  if (violations) charts.push(violations);
  const denials = report.denials;
  if (denials && typeof denials !== 'string') {
    const logins = barChart('denied-logins', 'Denied logins by reason', 'reason', denials.logins, (entries) => `Denied logins by reason: ${entries.map(([reason, count]) => `${reason} ${number(count)}`).join(', ')}.`);
    const signups = barChart('denied-signups', 'Denied signups by reason', 'reason', denials.signups, (entries) => `Denied signups by reason: ${entries.map(([reason, count]) => `${reason} ${number(count)}`).join(', ')}.`);
    for (const chart of [logins, signups]) if (chart) charts.push(chart);
  }
  return charts;
}

interface VegaView {
  toSVG(): Promise<string>;
  finalize(): void;
}
interface Charting {
  vegaLite: { compile(spec: unknown): { spec: unknown } };
  vega: { parse(spec: unknown): unknown; View: new (runtime: unknown, options: { renderer: 'none' }) => VegaView };
}

/**
 * Vega and Vega-Lite, loaded when a report is drawn. Both are ES modules only: imported by a name this
 * project's module resolution does not follow (their own types need "node16" resolution), typed here as used.
 */
async function charting(): Promise<Charting> {
  const load = (name: string) => import(name) as Promise<unknown>;
  const [vegaLite, vega] = await Promise.all([load('vega-lite'), load('vega')]);
  return { vegaLite, vega } as Charting;
}

/** Renders a Vega-Lite spec to SVG (Vega's headless view; no browser, no canvas). */
async function toSvg(spec: Record<string, unknown>, label: string): Promise<string> {
  const { vegaLite, vega } = await charting();
  const compiled = vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: { font: 'system-ui, sans-serif', view: { stroke: null } }, ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    // The schema URL is a name inside the spec, never fetched; nothing in the SVG points outside the file.
    // The chart as one image with its text alternative (the marks keep their own labels for a closer look).
    return (await view.toSVG()).replace(/<svg /, `<svg role="img" aria-label="${escape(label)}" focusable="false" `);
  } finally {
    view.finalize();
  }
}

function dataTable(chart: Chart): string {
  const head = chart.columns.map((column) => `<th scope="col">${escape(column)}</th>`).join('');
  const body = chart.rows.map((row) => `<tr>${row.map((cell) => (typeof cell === 'number' ? `<td class="n">${number(cell)}</td>` : `<td>${escape(cell)}</td>`)).join('')}</tr>`).join('\n');
  return `<details><summary>The numbers</summary><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></details>`;
}

async function figure(chart: Chart): Promise<string> {
  return `<figure id="${escape(chart.id)}" data-chart="${escape(chart.id)}">
<figcaption><h3>${escape(chart.title)}</h3><p class="alt">${escape(chart.summary)}</p></figcaption>
<div class="chart">${await toSvg(chart.spec, chart.summary)}</div>
${dataTable(chart)}
</figure>`;
}

function figures(report: AuditReport): Array<[string, string | number]> {
  const users = report.users;
  const denials = report.denials && typeof report.denials !== 'string' ? report.denials : undefined;
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((total, count) => total + count, 0);
  const drifted = (kind: string) => new Set(report.drift.filter((item) => item.kind === kind).map((item) => item.name)).size;
  return [
    ['users', users ? users.users : 'not read'],
    ['users with a record', users ? coverageOf(users) : '—'],
    ['users without a record', users ? users.withoutRecord : '—'],
    ['violations', users ? users.violations : '—'],
    ['drifted connections', drifted('connection')],
    ['drifted actions and triggers', drifted('action') + drifted('trigger')],
    ...(denials ? ([['denied logins', sum(denials.logins)], ['denied signups', sum(denials.signups)]] as Array<[string, number]>) : []),
  ];
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 980px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; } h3 { font-size: 1.05rem; margin: 0; }
.verdict { font-weight: 600; padding: .6rem .9rem; border-left: 6px solid #009E73; background: #f3f8f5; }
.verdict.broken { border-color: #D55E00; background: #fbf1ea; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .6rem; padding: 0; list-style: none; }
.figures li { border: 1px solid #ddd; border-radius: 6px; padding: .6rem .8rem; }
.figures .value { display: block; font-size: 1.6rem; font-weight: 700; }
figure { margin: 1.4rem 0; } .alt { color: #444; margin: .2rem 0 .4rem; font-size: .9rem; }
table { border-collapse: collapse; margin: .4rem 0; } th, td { border: 1px solid #ddd; padding: .25rem .55rem; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .9em; } details summary { cursor: pointer; color: #0a58a8; }
`;

/** The whole page. */
export async function renderHtml(report: AuditReport): Promise<string> {
  const charts = auditCharts(report);
  const sources = charts.filter((chart) => chart.id.startsWith('sources-'));
  const violations = charts.find((chart) => chart.id === 'violations');
  const denials = charts.filter((chart) => chart.id.startsWith('denied-'));
  const users = report.users;
  const verdict = users && users.unreadable > 0 ? 'The audit is incomplete: part of the users file is not users.' : report.broken ? 'The tenant breaks the policy.' : 'The tenant keeps to the policy.';
  const parts: string[] = [];
  parts.push(`<h1>Root-attribute audit</h1><p>${escape(report.target)}${report.generatedAt ? ` · ${escape(report.generatedAt.slice(0, 19).replace('T', ' '))} UTC` : ''}</p>`);
  parts.push(`<p class="verdict${report.broken ? ' broken' : ''}">${escape(verdict)}</p>`);
  parts.push(`<ul class="figures" aria-label="Summary">${figures(report).map(([label, value]) => `<li data-figure="${escape(label)}"><span class="value">${typeof value === 'number' ? number(value) : escape(value)}</span>${escape(label)}</li>`).join('')}</ul>`);
  if (report.changes) {
    parts.push(`<h2>${escape(changesHeading(report.changes).replace(/:.*$/, ''))}</h2>`);
    parts.push(report.changes.changes.length === 0 ? '<p>No change.</p>' : `<ul class="changes">${report.changes.changes.map((change) => `<li>${escape(changeLine(change))}</li>`).join('')}</ul>`);
  }
  parts.push('<h2>Where root attributes come from</h2>');
  parts.push(users ? '<p>Per connection, each tracked attribute\'s users by the source their value came from (<i>changed</i>: changed since the last login; <i>none</i>: not recorded).</p>' : '<p>Users were not read (--no-users).</p>');
  for (const chart of sources) parts.push(await figure(chart));
  parts.push('<h2>Violations</h2>');
  if (!users) parts.push('<p>Users were not read.</p>');
  else if (!violations) parts.push('<p>None.</p>');
  else {
    parts.push(await figure(violations));
    parts.push('<h3>Users per rule (ids only, up to ten each)</h3><table><thead><tr><th scope="col">rule</th><th scope="col">users</th><th scope="col">user ids</th></tr></thead><tbody>');
    for (const [code, count] of Object.entries(users.byCode).sort((a, b) => b[1] - a[1])) {
      parts.push(`<tr data-code="${escape(code)}"><td><code>${escape(code)}</code></td><td class="n">${number(count)}</td><td>${(users.examplesByCode[code] ?? []).map((id) => `<code>${escape(id)}</code>`).join(', ')}</td></tr>`);
    }
    parts.push('</tbody></table>');
  }
  parts.push('<h2>Drift against tenant.yaml</h2>');
  parts.push(report.drift.length === 0 ? '<p>None.</p>' : `<table id="drift"><thead><tr><th scope="col">resource</th><th scope="col">name</th><th scope="col">difference</th></tr></thead><tbody>${report.drift.map((item) => `<tr><td>${escape(item.kind)}</td><td><code>${escape(item.name)}</code></td><td>${escape(item.problem)}</td></tr>`).join('')}</tbody></table>`);
  if (report.denials !== undefined) {
    parts.push('<h2>Denied logins and signups</h2>');
    if (typeof report.denials === 'string') parts.push(`<p>Not read: ${escape(report.denials)}.</p>`);
    else if (denials.length === 0) parts.push('<p>None logged.</p>');
    else for (const chart of denials) parts.push(await figure(chart));
  }
  // The report as --json prints it: the data behind every chart above. `<` is escaped so no value ends the script element.
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Root-attribute audit · ${escape(report.target)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${parts.join('\n')}
</main>
<script type="application/json" id="audit-report">${data}</script>
</body>
</html>
`;
}
