/**
 * The users half of the audit, one user at a time (memory stays flat however many users): per connection
 * and attribute, how many values came from each source; users with no provenance record; records whose
 * source the policy does not allow; values that break the value rules; required attributes missing.
 * A record that is current (same digest, same policy) is trusted as post-login left it.
 */
import { ROOT_ATTRIBUTES, type RecordedSource } from '../../actions/lib/attributes';
import { enforcementOf, type CompiledConnection, type CompiledPolicy } from '../../actions/lib/compile-policy';
import { attributeDigest, profileDigest } from '../../actions/lib/digest';
import { currentRecord, parseRecord } from '../../actions/lib/provenance-record';
import { emailOf, requiredViolations, sourceViolations, trackedValues, valueViolations } from '../../actions/lib/violations';

/** How a present value stands against the record: its recorded source, changed since, or not recorded. */
export type Standing = RecordedSource | 'changed' | 'none';

/** Every standing, in the order reports show them. */
export const STANDINGS: readonly Standing[] = ['signup', 'import', 'management_api', 'idp', 'unknown', 'changed', 'none'];

export interface UserViolation {
  user_id: string;
  connection: string;
  code: string;
}

export interface UsersSummary {
  users: number;
  /** Lines of the export that were not a user object. */
  unreadable: number;
  /** Their line numbers (1-based), the first of them, for the report. */
  unreadableLines: number[];
  /** connection → attribute → standing → count */
  sources: Record<string, Record<string, Partial<Record<Standing, number>>>>;
  /** Users with a valid provenance record, on any connection: the adoption's coverage is this of `users`. */
  recorded: number;
  /** Users whose `identities` name a connection: an export without the field has none. */
  withConnection: number;
  withoutRecord: number;
  corruptRecords: number;
  unmanaged: number;
  violations: number;
  /** The first violations found, for the report (the count above is complete). */
  examples: UserViolation[];
  /** The first users without a record, for the report. */
  withoutRecordExamples: string[];
  /** Violations by rule code (`name.web-address`, …): complete counts. */
  byCode: Record<string, number>;
  /** Up to 10 user ids per rule code (ids only, never a value). */
  examplesByCode: Record<string, string[]>;
}

const EXAMPLES = 25;
const EXAMPLES_PER_CODE = 10;

export class UsersAudit {
  private readonly summary: UsersSummary = { users: 0, unreadable: 0, unreadableLines: [], sources: {}, recorded: 0, withConnection: 0, withoutRecord: 0, corruptRecords: 0, unmanaged: 0, violations: 0, examples: [], withoutRecordExamples: [], byCode: {}, examplesByCode: {} };

  constructor(
    private readonly compiled: CompiledPolicy,
    private readonly metadataKey: string,
    /** Told every user without a valid record, on any connection (`audit --unrecorded FILE`). */
    private readonly onUnrecorded?: (userId: string) => void,
  ) {}

  private count(connection: string, attribute: string, standing: Standing): void {
    const byAttribute = (this.summary.sources[connection] ??= {});
    const byStanding = (byAttribute[attribute] ??= {});
    byStanding[standing] = (byStanding[standing] ?? 0) + 1;
  }

  private violation(userId: string, connection: CompiledConnection, code: string): void {
    if (enforcementOf(connection, code, 'login') === 'off') return;
    this.summary.violations += 1;
    if (this.summary.examples.length < EXAMPLES) this.summary.examples.push({ user_id: userId, connection: connection.name, code });
    this.summary.byCode[code] = (this.summary.byCode[code] ?? 0) + 1;
    const ids = (this.summary.examplesByCode[code] ??= []);
    if (ids.length < EXAMPLES_PER_CODE && !ids.includes(userId)) ids.push(userId);
  }

  /** Takes one user of an export (a parsed NDJSON line, and its line number). Anything odd counts, never throws. */
  add(user: unknown, line?: number): void {
    if (typeof user !== 'object' || user === null || Array.isArray(user)) {
      this.summary.unreadable += 1;
      if (line !== undefined && this.summary.unreadableLines.length < EXAMPLES) this.summary.unreadableLines.push(line);
      return;
    }
    const record = user as { user_id?: unknown; identities?: Array<{ connection?: unknown }>; app_metadata?: Record<string, unknown> };
    this.summary.users += 1;
    const userId = typeof record.user_id === 'string' ? record.user_id : '?';
    const connectionName = Array.isArray(record.identities) && typeof record.identities[0]?.connection === 'string' ? record.identities[0].connection : '';
    if (connectionName !== '') this.summary.withConnection += 1;
    const metadata = record.app_metadata;
    const storedValue = typeof metadata === 'object' && metadata !== null ? metadata[this.metadataKey] : undefined;
    if (parseRecord(storedValue).status === 'valid') this.summary.recorded += 1;
    else this.onUnrecorded?.(userId);
    const connection = this.compiled.connection(connectionName);
    if (typeof connection !== 'object' || !connection.managed) {
      this.summary.unmanaged += 1;
      return;
    }
    const values = trackedValues(user);
    const email = emailOf(user);
    // Current record (the same test post-login makes): what post-login recorded still holds, violations included.
    const current = currentRecord(storedValue, profileDigest(values), this.compiled.fingerprint, connection.name);
    if (current) {
      const recorded: { [A in (typeof ROOT_ATTRIBUTES)[number]]?: RecordedSource } = {};
      for (const attribute of ROOT_ATTRIBUTES) {
        const entry = current.attributes[attribute];
        if (values[attribute] !== undefined) this.count(connection.name, attribute, entry?.source ?? 'none');
        if (entry) recorded[attribute] = entry.source;
      }
      // Value and required checks as post-login stored them; sources against the policy always (cheap,
      // and a record edited by hand must not hide one).
      for (const code of current.violations) if (!code.endsWith('.source-not-allowed')) this.violation(userId, connection, code);
      for (const v of sourceViolations(connection, recorded, 'login')) this.violation(userId, connection, v.code);
      return;
    }
    const parsed = parseRecord(storedValue);
    if (parsed.status !== 'valid') {
      if (parsed.status === 'missing') {
        this.summary.withoutRecord += 1;
        if (this.summary.withoutRecordExamples.length < EXAMPLES) this.summary.withoutRecordExamples.push(userId);
      } else this.summary.corruptRecords += 1;
      for (const attribute of ROOT_ATTRIBUTES) if (values[attribute] !== undefined) this.count(connection.name, attribute, 'none');
      for (const v of [...requiredViolations(connection, values), ...valueViolations(this.compiled, values, email)]) this.violation(userId, connection, v.code);
      return;
    }
    const stored = parsed.record;
    const sources: { [A in (typeof ROOT_ATTRIBUTES)[number]]?: RecordedSource } = {};
    for (const attribute of ROOT_ATTRIBUTES) {
      const value = values[attribute];
      if (value === undefined) continue;
      const entry = stored.attributes[attribute];
      if (!entry) this.count(connection.name, attribute, 'none');
      else if (entry.digest !== attributeDigest(attribute, value)) this.count(connection.name, attribute, 'changed');
      else {
        this.count(connection.name, attribute, entry.source);
        sources[attribute] = entry.source;
      }
    }
    for (const v of [...requiredViolations(connection, values), ...valueViolations(this.compiled, values, email), ...sourceViolations(connection, sources, 'login')]) {
      this.violation(userId, connection, v.code);
    }
  }

  result(): UsersSummary {
    return this.summary;
  }
}

/** The share of users with a provenance record, as reports print it: `4,900 of 5,000 (98.0%)`. */
export function coverageOf(summary: Pick<UsersSummary, 'users' | 'recorded'>): string {
  const recorded = summary.recorded ?? 0;
  const share = summary.users === 0 ? 100 : (recorded / summary.users) * 100;
  // Never rounded up to 100% while one user lacks a record.
  const shown = share < 100 && share > 99.9 ? '99.9' : share.toFixed(1);
  return `${recorded.toLocaleString('en')} of ${summary.users.toLocaleString('en')} (${shown}%)`;
}
