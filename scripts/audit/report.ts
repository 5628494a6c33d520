/** The audit report, for people (a table), for machines (`--json`) and for a CI job summary (`--markdown`). */
import type { DenialsSummary } from './denials';
import { ROOT_ATTRIBUTES } from '../../actions/lib/attributes';
import type { Drift } from './drift';
import { coverageOf, STANDINGS, type UsersSummary } from './users';
import { changeLine, changesHeading, type ReportChanges } from './compare';

export interface AuditReport {
  target: string;
  /** When the report was written (ISO). */
  generatedAt?: string;
  drift: Drift[];
  users: UsersSummary | null;
  /** Denied logins and signups from the tenant's logs, by reason (counts only); a string says why there are none. */
  denials?: DenialsSummary | string;
  /** Whether anything breaks the policy (exit code 1). */
  broken: boolean;
  /** With --compare: what changed since the earlier report. */
  changes?: ReportChanges;
}

function sourceRows(users: UsersSummary): string[][] {
  const rows: string[][] = [];
  for (const [connection, attributes] of Object.entries(users.sources).sort()) {
    for (const attribute of ROOT_ATTRIBUTES) {
      const counts = attributes[attribute];
      if (!counts) continue;
      rows.push([connection, attribute, ...STANDINGS.map((standing) => String(counts[standing] ?? ''))]);
    }
  }
  return rows;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

function unreadableAt(users: UsersSummary): string {
  return `line${users.unreadableLines.length === 1 ? '' : 's'} ${users.unreadableLines.join(', ')}${users.unreadable > users.unreadableLines.length ? ', …' : ''}`;
}

/** An audit that could not read every user is not a pass, whatever it found in the rest. */
function resultLine(report: AuditReport): string {
  if (report.users && report.users.unreadable > 0) return `Result: the audit is incomplete: ${report.users.unreadable.toLocaleString('en')} line${report.users.unreadable === 1 ? '' : 's'} of the users file ${report.users.unreadable === 1 ? 'is' : 'are'} not a user (exit code 1).`;
  return report.broken ? 'Result: the tenant breaks the policy (exit code 1).' : 'Result: the tenant keeps to the policy.';
}

export function formatText(report: AuditReport): string {
  const lines = [`Audit of ${report.target}`, ''];
  lines.push(report.drift.length === 0 ? 'Tenant against tenant.yaml: no drift.' : `Tenant against tenant.yaml: ${report.drift.length} difference${report.drift.length === 1 ? '' : 's'}`);
  for (const item of report.drift) lines.push(`  ${item.kind} ${item.name}: ${item.problem}`);
  const users = report.users;
  if (users) {
    lines.push('', `Users: ${users.users.toLocaleString('en')} read; sources of each root attribute (changed = since the last login; none = not recorded)`);
    lines.push(...table(['connection', 'attribute', ...STANDINGS], sourceRows(users)).map((line) => `  ${line}`));
    lines.push('');
    lines.push(`  users with a provenance record: ${coverageOf(users)}${users.recorded < users.users ? ' (npm run users -- backfill gives the others one)' : ''}`);
    lines.push(`  without a provenance record: ${users.withoutRecord.toLocaleString('en')}${users.withoutRecordExamples.length > 0 ? ` (e.g. ${users.withoutRecordExamples.slice(0, 5).join(', ')})` : ''}`);
    lines.push(`  corrupt records: ${users.corruptRecords.toLocaleString('en')}; on connections the policy does not manage: ${users.unmanaged.toLocaleString('en')}`);
    if (users.unreadable > 0) lines.push(`  lines that are not a user: ${users.unreadable.toLocaleString('en')} (${unreadableAt(users)})`);
    lines.push(`  violations of the policy: ${users.violations.toLocaleString('en')}`);
    for (const example of users.examples) lines.push(`    ${example.user_id} (${example.connection}): ${example.code}`);
    if (users.violations > users.examples.length) lines.push(`    … and ${(users.violations - users.examples.length).toLocaleString('en')} more (--json lists the first ${users.examples.length})`);
  }
  lines.push(...denialLines(report.denials));
  if (report.changes) lines.push('', changesHeading(report.changes), ...report.changes.changes.map((change) => `  ${changeLine(change)}`));
  lines.push('', resultLine(report));
  return lines.join('\n');
}

function denialRows(denials: DenialsSummary): string[][] {
  const rows = (kind: string, counts: Record<string, number>) => Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([reason, count]) => [kind, reason, String(count)]);
  return [...rows('login', denials.logins), ...rows('signup', denials.signups)];
}

function period(denials: DenialsSummary): string {
  return denials.from === null ? 'none logged' : `${denials.from.slice(0, 10)} to ${denials.to?.slice(0, 10) ?? ''}${denials.truncated ? ', the newest 1,000' : ''}`;
}

function denialLines(denials: AuditReport['denials']): string[] {
  if (denials === undefined) return [];
  if (typeof denials === 'string') return ['', `Denied logins and signups: not read (${denials}).`];
  const rows = denialRows(denials);
  if (rows.length === 0) return ['', 'Denied logins and signups: none logged.'];
  return ['', `Denied logins and signups by reason (${period(denials)})`, ...table(['kind', 'reason', 'count'], rows).map((line) => `  ${line}`)];
}

/** A label Mermaid reads inside double quotes. */
const mermaidLabel = (text: string) => text.replace(/["\n\r#;]/g, ' ');

/**
 * Charts GitHub renders in a job summary (Mermaid): per connection, where its users' root attributes come
 * from (all tracked attributes together), and the violations by rule. The tables above carry the numbers.
 */
function mermaidCharts(users: UsersSummary): string[] {
  const lines: string[] = [];
  for (const [connection, attributes] of Object.entries(users.sources).sort()) {
    const totals = STANDINGS.map((standing) => [standing, Object.values(attributes).reduce((sum, counts) => sum + (counts[standing] ?? 0), 0)] as const).filter(([, count]) => count > 0);
    if (totals.length === 0) continue;
    lines.push('', '```mermaid', `pie showData title Sources of root attributes on ${mermaidLabel(connection)}`, ...totals.map(([standing, count]) => `    "${standing}" : ${count}`), '```');
  }
  const codes = Object.entries(users.byCode ?? {}).sort((a, b) => b[1] - a[1]);
  if (codes.length > 0) lines.push('', '```mermaid', 'pie showData title Violations by rule', ...codes.map(([code, count]) => `    "${mermaidLabel(code)}" : ${count}`), '```');
  return lines;
}

export function formatMarkdown(report: AuditReport): string {
  const verdict = report.users && report.users.unreadable > 0 ? '**The audit is incomplete: part of the users file is not users.**' : report.broken ? '**The tenant breaks the policy.**' : 'The tenant keeps to the policy.';
  const lines = [`## Root-attribute audit of \`${report.target}\``, '', verdict, ''];
  lines.push('### Drift against tenant.yaml', '');
  if (report.drift.length === 0) lines.push('None.');
  else {
    lines.push('| resource | name | difference |', '|---|---|---|');
    for (const item of report.drift) lines.push(`| ${item.kind} | \`${item.name}\` | ${item.problem.replace(/\|/g, '\\|')} |`);
  }
  const users = report.users;
  if (users) {
    lines.push('', `### Users (${users.users.toLocaleString('en')})`, '', `| connection | attribute | ${STANDINGS.join(' | ')} |`, `|---|---|${STANDINGS.map(() => '---:').join('|')}|`);
    for (const row of sourceRows(users)) lines.push(`| ${row.join(' | ')} |`);
    lines.push(...mermaidCharts(users));
    lines.push('', `- users with a provenance record: ${coverageOf(users)}`, `- without a provenance record: ${users.withoutRecord}`, `- corrupt records: ${users.corruptRecords}`, `- on unmanaged connections: ${users.unmanaged}`, `- violations: ${users.violations}`);
    if (users.unreadable > 0) lines.push(`- **lines that are not a user: ${users.unreadable}** (${unreadableAt(users)}): the audit is incomplete`);
    for (const example of users.examples) lines.push(`  - \`${example.user_id}\` (${example.connection}): \`${example.code}\``);
  }
  if (report.changes) {
    lines.push('', `### ${changesHeading(report.changes).replace(/:.*$/, '')}`, '');
    if (report.changes.changes.length === 0) lines.push('No change.');
    else lines.push(...report.changes.changes.map((change) => `- ${changeLine(change).replace(/\|/g, '\\|')}`));
  }
  const denials = report.denials;
  if (typeof denials === 'string') lines.push('', '### Denied logins and signups', '', `Not read: ${denials}.`);
  else if (denials) {
    const rows = denialRows(denials);
    lines.push('', `### Denied logins and signups (${period(denials)})`, '');
    if (rows.length === 0) lines.push('None.');
    else lines.push('| kind | reason | count |', '|---|---|---:|', ...rows.map(([kind, reason, count]) => `| ${kind} | ${(reason ?? '').replace(/\|/g, '\\|')} | ${count} |`));
  }
  return lines.join('\n');
}
