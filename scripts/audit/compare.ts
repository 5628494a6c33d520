/**
 * What changed since an earlier audit (`--compare PREVIOUS.json`, a report `--json` printed): the users
 * counted, each connection's attribute sources, the violations by rule, and the drift — counts and names
 * only, like the report itself.
 */
import { readFileSync } from 'node:fs';
import { ROOT_ATTRIBUTES } from '../../actions/lib/attributes';
import { ProjectError } from '../lib/errors';
import { isRecord } from '../lib/tenant-model';
import type { AuditReport } from './report';
import type { Drift } from './drift';
import { STANDINGS, type UsersSummary } from './users';

export type ReportChange =
  | { kind: 'total'; label: string; before: number; after: number }
  | { kind: 'source'; connection: string; attribute: string; source: string; before: number; after: number }
  | { kind: 'violation'; code: string; before: number; after: number }
  | { kind: 'drift'; change: 'new' | 'gone'; drift: Drift };

export interface ReportChanges {
  /** When the previous report was written (its `generatedAt`), if it says. */
  since: string | undefined;
  changes: ReportChange[];
}

/** Reads an earlier `--json` report, refusing a file that is not one (with what to do). */
export function readPreviousReport(file: string): AuditReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ProjectError('file-unreadable', `cannot read ${file} as an audit report: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not JSON'}`, { hint: 'give a report written by npm run -s audit -- --json > FILE' });
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.drift) || !('users' in parsed)) {
    throw new ProjectError('file-unreadable', `${file} is not an audit report`, { hint: 'give a report written by npm run -s audit -- --json > FILE' });
  }
  return parsed as unknown as AuditReport;
}

const TOTALS: Array<[keyof UsersSummary, string]> = [
  ['users', 'users'],
  ['recorded', 'users with a provenance record'],
  ['withoutRecord', 'users without a provenance record'],
  ['corruptRecords', 'corrupt records'],
  ['unmanaged', 'users on unmanaged connections'],
  ['violations', 'violations'],
];

const driftKey = (drift: Drift) => `${drift.kind}\u0000${drift.name}\u0000${drift.problem}`;
const numberAt = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export function compareReports(previous: AuditReport, current: AuditReport): ReportChanges {
  const changes: ReportChange[] = [];
  const before = previous.users;
  const after = current.users;
  if (before && after) {
    for (const [field, label] of TOTALS) {
      const was = numberAt(before[field]);
      const now = numberAt(after[field]);
      if (was !== now) changes.push({ kind: 'total', label, before: was, after: now });
    }
    const connections = [...new Set([...Object.keys(before.sources ?? {}), ...Object.keys(after.sources)])].sort();
    for (const connection of connections) {
      for (const attribute of ROOT_ATTRIBUTES) {
        for (const source of STANDINGS) {
          const was = numberAt(before.sources?.[connection]?.[attribute]?.[source]);
          const now = numberAt(after.sources[connection]?.[attribute]?.[source]);
          if (was !== now) changes.push({ kind: 'source', connection, attribute, source, before: was, after: now });
        }
      }
    }
    for (const code of [...new Set([...Object.keys(before.byCode ?? {}), ...Object.keys(after.byCode)])].sort()) {
      const was = numberAt(before.byCode?.[code]);
      const now = numberAt(after.byCode[code]);
      if (was !== now) changes.push({ kind: 'violation', code, before: was, after: now });
    }
  }
  const previousDrift = new Set(previous.drift.map(driftKey));
  const currentDrift = new Set(current.drift.map(driftKey));
  for (const drift of current.drift) if (!previousDrift.has(driftKey(drift))) changes.push({ kind: 'drift', change: 'new', drift });
  for (const drift of previous.drift) if (!currentDrift.has(driftKey(drift))) changes.push({ kind: 'drift', change: 'gone', drift });
  return { since: typeof previous.generatedAt === 'string' ? previous.generatedAt : undefined, changes };
}

const delta = (before: number, after: number) => `${before.toLocaleString('en')} → ${after.toLocaleString('en')} (${after > before ? '+' : '−'}${Math.abs(after - before).toLocaleString('en')})`;

/** One change as a line of text (Markdown and HTML use the same words). */
export function changeLine(change: ReportChange): string {
  switch (change.kind) {
    case 'total':
      return `${change.label}: ${delta(change.before, change.after)}`;
    case 'source':
      return `${change.connection} ${change.attribute} from ${change.source}: ${delta(change.before, change.after)}`;
    case 'violation':
      return `violations ${change.code}: ${delta(change.before, change.after)}`;
    case 'drift':
      return `${change.change === 'new' ? 'new drift' : 'drift gone'}: ${change.drift.kind} ${change.drift.name}: ${change.drift.problem}`;
  }
}

export function changesHeading(changes: ReportChanges): string {
  const since = changes.since ? ` (${changes.since.slice(0, 19).replace('T', ' ')} UTC)` : '';
  return changes.changes.length === 0 ? `Since the previous report${since}: no change.` : `Since the previous report${since}: ${changes.changes.length} change${changes.changes.length === 1 ? '' : 's'}`;
}
