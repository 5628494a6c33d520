/**
 * The denied logins and signups a tenant logged (log events `f` and `fs`), counted by reason — the deny
 * reason an Action gave, or the refusal — read through the official auth0 SDK. Counts only: a log event's
 * user, IP or any value never reaches the report.
 */
import type { ManagementClient } from 'auth0';

/** Auth0 pages through at most 1,000 results of one log search. */
const MAX_EVENTS = 1_000;

export interface DenialsSummary {
  /** Dates of the oldest and newest denial read (ISO), or null when there were none. */
  from: string | null;
  to: string | null;
  logins: Record<string, number>;
  signups: Record<string, number>;
  /** True when the tenant had more denials than one log search returns. */
  truncated: boolean;
}

/** The denials in the tenant's logs, or the reason they could not be read (e.g. the client lacks read:logs). */
export async function readDenials(management: ManagementClient): Promise<{ denials: DenialsSummary } | { unavailable: string }> {
  const summary: DenialsSummary = { from: null, to: null, logins: {}, signups: {}, truncated: false };
  let read = 0;
  try {
    const pages = await management.logs.list({ search: 'type:f OR type:fs', per_page: 100, sort: 'date:-1' });
    for await (const log of pages) {
      if (read === MAX_EVENTS) {
        summary.truncated = true;
        break;
      }
      read++;
      const counts = log.type === 'fs' ? summary.signups : summary.logins;
      const reason = typeof log.description === 'string' && log.description !== '' ? log.description.slice(0, 120) : '(no reason given)';
      counts[reason] = (counts[reason] ?? 0) + 1;
      const date = typeof log.date === 'string' ? log.date : undefined;
      if (date && (summary.from === null || date < summary.from)) summary.from = date;
      if (date && (summary.to === null || date > summary.to)) summary.to = date;
    }
  } catch (error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 403) return { unavailable: 'the client may not read the tenant logs (grant it read:logs)' };
    if (typeof status === 'number') return { unavailable: `the tenant logs could not be read (HTTP ${status})` };
    throw error;
  }
  return { denials: summary };
}
