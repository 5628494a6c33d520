/**
 * Step 2 of post-login: compare the tracked attributes with the provenance record, attribute every
 * change to its source, and build the record as it must now be. Pure; the clock comes in as `now`.
 *
 * A login that changed nothing costs one hash: the record's top-level digest and policy fingerprint
 * match, and it is trusted as far as the claim depends on it (`currentRecord`). Otherwise only the
 * attributes whose value changed are checked again; the others keep the violations found before, as
 * long as the policy is the same.
 */
import { ROOT_ATTRIBUTES, type RecordedSource, type RootAttribute } from '../lib/attributes';
import { sourceAtCreation, sourceOfChange, sourceWithoutRecord, type AttributionContext } from '../lib/attribution';
import type { CompiledConnection, CompiledPolicy } from '../lib/compile-policy';
import { attributeDigest, profileDigest } from '../lib/digest';
import { currentRecord, parseRecord, RECORD_VERSION, type AttributeEntry, type ProvenanceRecord, type RecordProblem } from '../lib/provenance-record';
import { requiredViolations, sourceViolations, valueViolations, type TrackedValues } from '../lib/violations';

export interface AttributeChange {
  attribute: RootAttribute;
  /** The new source; null when the attribute was removed. */
  source: RecordedSource | null;
  previous: RecordedSource | null;
}

export interface Reconciled {
  record: ProvenanceRecord;
  /** Whether the record differs from the stored one and must be written. */
  changed: boolean;
  changes: AttributeChange[];
  /** Set when something was stored that is not a valid record: it is replaced. */
  replaced: RecordProblem | null;
}

export interface ReconcileInput {
  compiled: CompiledPolicy;
  connection: CompiledConnection;
  stored: unknown;
  values: TrackedValues;
  /** The user's e-mail: a value that is Auth0's default for it breaks no value rule. */
  email?: string;
  firstLogin: boolean;
  /** The time to stamp new entries with; asked only when something changed. */
  now: () => string;
  /**
   * Sources to record for attributes whose value is new (no entry, or another digest), instead of
   * inferring them: the project's own write paths (`users update`, `users import`) know their source.
   */
  forcedSources?: { [A in RootAttribute]?: RecordedSource };
}

export function reconcile({ compiled, connection, stored, values, email, firstLogin, now, forcedSources }: ReconcileInput): Reconciled {
  const digest = profileDigest(values);
  if (!forcedSources) {
    const current = currentRecord(stored, digest, compiled.fingerprint, connection.name);
    if (current) return { record: current, changed: false, changes: [], replaced: null };
  }
  const parsed = parseRecord(stored);
  const previous = parsed.status === 'valid' ? parsed.record : undefined;
  const replaced = parsed.status === 'invalid' ? parsed.problem : null;

  const context: AttributionContext = { kind: connection.kind, sync: connection.sync, firstLogin };
  const attributes: ProvenanceRecord['attributes'] = {};
  const sources: { [A in RootAttribute]?: RecordedSource } = {};
  const changes: AttributeChange[] = [];
  const recheck: TrackedValues = {};
  let stamp: string | undefined;
  for (const attribute of ROOT_ATTRIBUTES) {
    const value = values[attribute];
    const entry = previous?.attributes[attribute];
    if (value === undefined) {
      if (entry) changes.push({ attribute, source: null, previous: entry.source });
      continue;
    }
    const valueDigest = attributeDigest(attribute, value);
    let next: AttributeEntry;
    if (entry && entry.digest === valueDigest) {
      next = entry;
    } else {
      const source = forcedSources?.[attribute] ?? (entry
        ? sourceOfChange(context)
        : previous
          ? firstLogin
            ? sourceAtCreation(context, Object.values(previous.attributes))
            : sourceOfChange(context)
          : sourceWithoutRecord(context));
      stamp ??= now();
      next = { source, at: stamp, digest: valueDigest };
      changes.push({ attribute, source, previous: entry?.source ?? null });
      recheck[attribute] = value;
    }
    attributes[attribute] = next;
    sources[attribute] = next.source;
  }

  // Under the same policy, unchanged values keep the value-rule findings made when they were checked.
  const samePolicy = previous !== undefined && previous.policy === compiled.fingerprint;
  const kept = samePolicy
    ? previous.violations.filter((code) => {
        const attribute = code.slice(0, code.indexOf('.')) as RootAttribute;
        return !code.endsWith('.required') && !code.endsWith('.source-not-allowed') && values[attribute] !== undefined && recheck[attribute] === undefined;
      })
    : [];
  const violations = [
    ...requiredViolations(connection, values).map((violation) => violation.code),
    ...kept,
    ...valueViolations(compiled, samePolicy ? recheck : values, email).map((violation) => violation.code),
    ...sourceViolations(connection, sources, 'login').map((violation) => violation.code),
  ];
  const record: ProvenanceRecord = {
    v: RECORD_VERSION,
    connection: connection.name,
    digest,
    policy: compiled.fingerprint,
    attributes,
    violations,
  };
  return { record, changed: true, changes, replaced };
}

/** The sources of the attributes a record covers, as the ID-token claim carries them. */
export function sourcesOf(record: ProvenanceRecord): Record<string, RecordedSource> {
  const sources: Record<string, RecordedSource> = {};
  for (const attribute of ROOT_ATTRIBUTES) {
    const entry = record.attributes[attribute];
    if (entry) sources[attribute] = entry.source;
  }
  return sources;
}
