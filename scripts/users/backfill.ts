/**
 * `users backfill [--connection NAME] [--dry-run] [--env NAME]`: every user of the tenant without a provenance
 * record gets one — what post-login would record of a user it meets after their first login: `idp` where the
 * connection syncs on_each_login (its IdP wrote the values at the last login), `unknown` otherwise. A user created
 * before adopting the project is so never taken for one who just signed up.
 *
 * Each record is written by a PATCH of `app_metadata` alone, which Auth0 merges key by key (never an import: an
 * import upsert replaces the whole app_metadata). The users come from an export job, so a run that was stopped —
 * Ctrl-C, a lost connection, `kill -9` — is resumed by running it again: a user whose PATCH went through has a
 * record in the new export and is skipped, one whose PATCH did not is written; a second run writes nothing.
 *
 * It keeps to the tenant's rate limit: every answer says what is left of it (X-RateLimit-Remaining), how many
 * requests it holds (X-RateLimit-Limit) and the second at which it is full again (X-RateLimit-Reset). With
 * nothing left it waits as long as the bucket takes to fill again — Auth0's limit is a token bucket that
 * refills at its limit a second — and never past that second; a 429 (another client took the rest) is waited
 * out until that second and the request sent again.
 */
import type { ManagementClient } from 'auth0';
import { reconcile } from '../../actions/post-login/reconcile';
import { parseRecord } from '../../actions/lib/provenance-record';
import { emailOf, trackedValues } from '../../actions/lib/violations';
import { progress, usersFromExportJob, type UserSource } from '../audit/export';
import { EXIT, ProjectError } from '../lib/errors';
import type { Project } from '../lib/project';
import type { Target } from '../lib/target';

export interface BackfillRequest {
  /** Only this connection's users. */
  connection?: string;
  dryRun: boolean;
  /** A progress bar on the terminal. */
  showProgress: boolean;
}

export interface BackfillSummary {
  users: number;
  written: number;
  /** Users who had a record already. */
  recorded: number;
  /** Users of connections the policy ignores, or of another connection than --connection. */
  skipped: number;
  /** Times it waited for the rate limit to refill, and requests answered 429 (then sent again). */
  waits: number;
  refusals: number;
  bySource: Record<string, number>;
}

interface RateHeaders {
  get(name: string): string | null;
}

/** Keeps to the tenant's rate limit by what its answers say. */
export class RatePacer {
  private remaining = Infinity;
  private limit = 0;
  /** When the last answer was read, and when the tenant said its bucket is full again (epoch ms). */
  private observedAt = 0;
  private resetAt = 0;
  waits = 0;
  refusals = 0;

  constructor(private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)), private readonly now: () => number = Date.now) {}

  /** Reads where the limit stands from an answer's headers. */
  observe(headers: RateHeaders | undefined): void {
    const remaining = Number(headers?.get('x-ratelimit-remaining'));
    const limit = Number(headers?.get('x-ratelimit-limit'));
    const reset = Number(headers?.get('x-ratelimit-reset'));
    this.observedAt = this.now();
    if (Number.isFinite(remaining)) this.remaining = remaining;
    if (Number.isFinite(limit) && limit > 0) this.limit = limit;
    if (Number.isFinite(reset) && reset > 0) this.resetAt = reset * 1000;
  }

  /**
   * Waits, before a request, until the limit has room for it: as long as the bucket takes to fill from what the
   * last answer left (the reset header is rounded up to a whole second: waiting for it would let up to a second
   * of refill go to waste at every wait), never past the reset.
   */
  async ready(): Promise<void> {
    if (this.remaining > 0) return;
    const untilReset = this.resetAt - this.now();
    const untilFull = this.limit > 0 ? this.observedAt + ((this.limit - this.remaining) / this.limit) * 1000 - this.now() : untilReset;
    const wait = Math.min(untilReset, untilFull);
    this.remaining = Infinity;
    if (wait <= 0) return;
    this.waits += 1;
    await this.sleep(wait);
  }

  /**
   * Sends a request, waiting for the limit before it and after a 429; any other failure is the caller's. The
   * request is made with the SDK's own retries off, so that every wait is this pacer's and counted.
   */
  async send<T>(request: () => Promise<{ data: T; rawResponse: { headers: RateHeaders } }>): Promise<T> {
    for (;;) {
      await this.ready();
      try {
        const { data, rawResponse } = await request();
        this.observe(rawResponse.headers);
        return data;
      } catch (error) {
        const failure = error as { statusCode?: number; rawResponse?: { headers?: RateHeaders } };
        if (failure.statusCode !== 429) throw error;
        this.refusals += 1;
        this.observe(failure.rawResponse?.headers);
        // Refused: the bucket is not what the last answers said (another client shares it). Wait for the reset.
        this.remaining = 0;
        this.limit = 0;
        if (this.resetAt <= this.now()) this.resetAt = this.now() + 1000;
      }
    }
  }
}

/** Users read between two progress lines, when there is no terminal for a bar. */
const PROGRESS_EVERY = 500;

interface ExportedUser {
  user_id?: unknown;
  identities?: Array<{ connection?: unknown }>;
  app_metadata?: Record<string, unknown>;
}

/** Writes a record for every user without one; returns the exit code. */
export async function backfillUsers(project: Project, target: Target, request: BackfillRequest, say: (line: string) => void): Promise<number> {
  const { compiled } = project;
  const key = project.policy.metadataKey;
  if (request.connection !== undefined && typeof compiled.connection(request.connection) !== 'object') {
    throw new ProjectError('usage', `the policy does not record connection "${request.connection}" (unmanagedConnections: ${String(compiled.connection(request.connection))})`, { hint: 'name a connection of tenant.yaml the policy records' });
  }
  const source: UserSource = await usersFromExportJob(target);
  const bar = progress(source, request.showProgress);
  const pacer = new RatePacer();
  const summary: BackfillSummary = { users: 0, written: 0, recorded: 0, skipped: 0, waits: 0, refusals: 0, bySource: {} };
  const now = new Date().toISOString();
  for await (const line of source.lines) {
    if (line.trim() === '') continue;
    let user: ExportedUser;
    try {
      user = JSON.parse(line) as ExportedUser;
    } catch {
      continue;
    }
    summary.users += 1;
    if ((summary.users & 63) === 0) bar.tick(summary.users);
    // Without a terminal (CI, a log file), a line now and then says how far it got.
    if (!request.showProgress && summary.users % PROGRESS_EVERY === 0) say(`… ${summary.users} users read, ${summary.written} ${request.dryRun ? 'to write' : 'written'}, ${summary.recorded} had a record; ${pacer.refusals} answered 429`);
    const userId = typeof user.user_id === 'string' ? user.user_id : '';
    const connectionName = typeof user.identities?.[0]?.connection === 'string' ? user.identities[0].connection : '';
    const connection = compiled.connection(connectionName);
    if (userId === '' || typeof connection !== 'object' || (request.connection !== undefined && connectionName !== request.connection)) {
      summary.skipped += 1;
      continue;
    }
    const stored = user.app_metadata?.[key];
    if (parseRecord(stored).status === 'valid') {
      summary.recorded += 1;
      continue;
    }
    // Not a first login: the user was there before the project (see attribution.ts).
    const { record } = reconcile({ compiled, connection, stored, values: trackedValues(user), email: emailOf(user), firstLogin: false, now: () => now });
    for (const entry of Object.values(record.attributes)) if (entry) summary.bySource[entry.source] = (summary.bySource[entry.source] ?? 0) + 1;
    if (!request.dryRun) await pacer.send(() => updateMetadata(target.management, userId, { [key]: record }));
    summary.written += 1;
  }
  bar.done(summary.users);
  summary.waits = pacer.waits;
  summary.refusals = pacer.refusals;
  say(describe(summary, request));
  return EXIT.ok;
}

/** A PATCH of app_metadata alone (Auth0 merges its top-level keys), with the answer's headers. */
function updateMetadata(management: ManagementClient, userId: string, appMetadata: Record<string, unknown>) {
  return management.users.update(userId, { app_metadata: appMetadata }, { maxRetries: 0 }).withRawResponse();
}

function describe(summary: BackfillSummary, request: BackfillRequest): string {
  const sources = Object.entries(summary.bySource).sort().map(([source, count]) => `${source} ${count}`).join(', ');
  const written = request.dryRun ? `would write a record for ${summary.written} user${summary.written === 1 ? '' : 's'} (dry run: nothing was sent)` : `wrote a record for ${summary.written} user${summary.written === 1 ? '' : 's'}`;
  const lines = [
    `${written}, of ${summary.users} in the tenant${request.connection ? ` (connection ${request.connection} only)` : ''}: ${summary.recorded} had one already, ${summary.skipped} are not recorded by the policy${request.connection ? ' or of another connection' : ''}`,
  ];
  if (summary.written > 0) lines.push(`attributes by source: ${sources}`);
  if (!request.dryRun) lines.push(`rate limit: waited for it ${summary.waits} time${summary.waits === 1 ? '' : 's'}; ${summary.refusals} request${summary.refusals === 1 ? '' : 's'} answered 429 and sent again`);
  return lines.join('\n');
}
