/**
 * The post-login Action's steps, in order:
 * 1. resolve the connection (tenant.yaml's table, or what `unmanagedConnections` says);
 * 2. reconcile the tracked attributes with the provenance record (reconcile.ts);
 * 3. write the record back, only when it changed, and log each change and replaced record;
 * 4. enforce: required attributes, value rules, allowed sources (deny | flag | off);
 * 5. put the sources (and flagged violations) in namespaced ID-token claims, or deny.
 */
import type { CompiledPolicy } from '../lib/compile-policy';
import { enforce } from '../lib/enforce';
import { id, log } from '../lib/log';
import { isPlainObject } from '../lib/provenance-record';
import { messageFor, emailOf, trackedValues } from '../lib/violations';
import type { Event, PostLoginAPI } from '../types/post-login';
import { reconcile, sourcesOf } from './reconcile';

export const SOURCES_CLAIM = 'root_attribute_sources';
const NOTHING_ENFORCED = Object.freeze({ denied: undefined, flagged: Object.freeze([]) as unknown as string[] });
export const VIOLATIONS_CLAIM = 'root_attribute_violations';

let lastMs = Number.NaN;
let lastIso = '';

/** The clock's time as ISO 8601, formatted once per millisecond (formatting costs more than the rest of a stamp). */
function isoTime(clock: () => Date): string {
  const date = clock();
  const ms = date.getTime();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = date.toISOString();
  }
  return lastIso;
}

/** The connection whose users' root attributes these are: the primary identity's, else the login's. */
function attributionConnection(event: Event): string {
  const identities: unknown = event.user?.identities;
  const primary = Array.isArray(identities) ? id((identities[0] as { connection?: unknown } | undefined)?.connection) : '';
  // Bounded like every name the record keeps (Auth0's connection names are at most 128 characters).
  return primary !== '' ? primary : id(event.connection?.name);
}

/**
 * A user the tenant had before the project was adopted (created before `adoptedAt`): their first login after
 * it is not the login that created them, whatever the login count says.
 */
function createdBeforeAdoption(createdAt: unknown, adoptedAt: string | undefined): boolean {
  // A time that does not parse is NaN, and NaN is before nothing.
  return adoptedAt !== undefined && typeof createdAt === 'string' && Date.parse(createdAt) < Date.parse(adoptedAt);
}

export function postLoginFlow(compiled: CompiledPolicy, clock: () => Date = () => new Date()) {
  const { namespace, metadataKey } = compiled.policy;
  const sourcesClaim = `${namespace}${SOURCES_CLAIM}`;
  const violationsClaim = `${namespace}${VIOLATIONS_CLAIM}`;
  return async function onExecutePostLogin(event: Event, api: PostLoginAPI): Promise<void> {
    const userId = id(event?.user?.user_id);
    try {
      const connectionName = attributionConnection(event);
      const connection = compiled.connection(connectionName);
      if (connection === 'ignore') return;
      if (connection === 'deny') {
        log({ event: 'unmanaged_connection', connection: connectionName, handling: 'deny' });
        log({ event: 'login_denied', user_id: userId, connection: connectionName, code: 'connection.unmanaged' });
        api.access.deny('This sign-in method is not available.');
        return;
      }

      const appMetadata: unknown = event.user?.app_metadata;
      const stored = isPlainObject(appMetadata) && Object.prototype.hasOwnProperty.call(appMetadata, metadataKey)
        ? appMetadata[metadataKey]
        : undefined;
      const result = reconcile({
        compiled,
        connection,
        stored,
        values: trackedValues(event.user),
        email: emailOf(event.user),
        firstLogin: event.stats?.logins_count === 1 && !createdBeforeAdoption(event.user?.created_at, compiled.policy.adoptedAt),
        now: () => isoTime(clock),
      });

      if (result.changed) {
        api.user.setAppMetadata(metadataKey, result.record);
        if (result.replaced) {
          log({ event: 'provenance_record_replaced', user_id: userId, connection: connection.name, problem: result.replaced });
        }
        for (const change of result.changes) {
          log({
            event: 'root_attribute_changed',
            user_id: userId,
            connection: connection.name,
            attribute: change.attribute,
            source: change.source,
            previous_source: change.previous,
          });
        }
      }

      const { denied, flagged } = result.record.violations.length === 0 ? NOTHING_ENFORCED : enforce(connection, result.record.violations, 'login');
      if (result.changed) {
        for (const code of flagged) {
          log({ event: 'root_attribute_violation', user_id: userId, connection: connection.name, code, enforcement: 'flag' });
        }
      }
      if (denied) {
        log({ event: 'login_denied', user_id: userId, connection: connection.name, code: denied });
        api.access.deny(messageFor(compiled, denied, 'login'));
        return;
      }
      api.idToken.setCustomClaim(sourcesClaim, sourcesOf(result.record));
      if (flagged.length > 0) api.idToken.setCustomClaim(violationsClaim, flagged);
    } catch (error) {
      // Never throw from an Action: a throw fails the login. Log the kind of error, not its text,
      // which could quote a value.
      log({ event: 'action_error', trigger: 'post-login', error: error instanceof Error ? error.name : typeof error });
    }
  };
}
