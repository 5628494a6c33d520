/**
 * What the story and `simulate` print: sources per user and attribute (never the values), the custom
 * claims of verified ID tokens, and the Actions' log lines of each flow.
 */
import type { JWTPayload } from 'jose';
import { ROOT_ATTRIBUTES } from '../../actions/lib/attributes';
import type { FlowResult, Trigger } from '@auth0-root-attributes/actions-runtime';
import type { StoredUser } from '@auth0-root-attributes/local-tenant';

export function sourcesOf(user: StoredUser, metadataKey: string): Record<string, string> {
  const record = user.app_metadata[metadataKey] as { attributes?: Record<string, { source?: string }> } | undefined;
  return Object.fromEntries(ROOT_ATTRIBUTES.map((attribute) => [attribute, record?.attributes?.[attribute]?.source ?? (user[attribute] === undefined ? '—' : 'none')]));
}

export function sourcesTable(users: readonly StoredUser[], metadataKey: string): string[] {
  const header = ['user', 'connection', ...ROOT_ATTRIBUTES];
  const rows = users.map((user) => [user.user_id, user.identities[0]?.connection ?? '', ...ROOT_ATTRIBUTES.map((a) => sourcesOf(user, metadataKey)[a] ?? '')]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** The claims worth showing: registered ones and the namespaced ones the Actions set; profile claims by name only. */
export function describeClaims(claims: JWTPayload, namespace: string): string[] {
  const lines = [`sub ${claims.sub ?? ''}  iss ${claims.iss ?? ''}  exp ${claims.exp ?? ''}`];
  for (const [key, value] of Object.entries(claims)) if (key.startsWith(namespace)) lines.push(`${key} ${JSON.stringify(value)}`);
  const profile = Object.keys(claims).filter((key) => !key.startsWith(namespace) && !['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'auth_time', 'sid', 'azp', 'at_hash'].includes(key));
  if (profile.length > 0) lines.push(`profile claims present (values not shown): ${profile.join(', ')}`);
  return lines;
}

/** What went wrong in an Action: its message (or the time limit) and where in its code it threw. */
export function describeFailure(failure: NonNullable<FlowResult['failure']>): string {
  if (failure.kind === 'timeout') return `timed out (${failure.message})`;
  const where = failure.source ?? (failure.at ? `line ${failure.at.line}, column ${failure.at.column} of its code` : undefined);
  return `${failure.message}${where ? ` (at ${where})` : ''}`;
}

/** Collects the Actions' log lines of each flow, for printing after the step that ran it. */
export function flowRecorder() {
  const lines: string[] = [];
  return {
    observe(trigger: Trigger, result: FlowResult) {
      for (const log of result.logs) lines.push(`${trigger} ${log.action}: ${log.line}`);
      if (result.failure) lines.push(`${trigger} failed in ${result.failure.action}: ${describeFailure(result.failure)}`);
    },
    /** The lines since the last call. */
    take(): string[] {
      return lines.splice(0, lines.length);
    },
  };
}
