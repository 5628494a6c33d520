/**
 * Names the source of a tracked attribute's value that post-login sees (docs/design.md §3).
 *
 * | situation                                              | source            |
 * |--------------------------------------------------------|-------------------|
 * | no record, upstream, `on_each_login`                   | `idp` (the IdP wrote it at this very login) |
 * | no record, first login, upstream `on_first_login`      | `idp`             |
 * | no record, first login, custom DB with import mode     | `import` (lazy migration) |
 * | no record, first login, passwordless                   | `signup` (this login created the user) |
 * | no record otherwise                                    | `unknown`         |
 * | digest changed, upstream with `on_each_login`          | `idp`             |
 * | digest changed, upstream `on_first_login`/`never_on_login` | `management_api` |
 * | digest changed, Auth0-as-IdP connection                | `management_api`  |
 * | digest unchanged                                       | the recorded source |
 *
 * An attribute that first appears at the first login beside a record written before it (by
 * pre-user-registration, or this project's `users` commands) was filled in when the user was created
 * (Auth0 derives `name`, `nickname` and `picture` for database users): it takes the source that
 * created the user.
 */
import type { RecordedSource } from './attributes';
import { isAuth0AsIdp, isUpstream, type ConnectionKind, type SyncMode } from './connection-kinds';
import type { AttributeEntry } from './provenance-record';

export interface AttributionContext {
  kind: ConnectionKind;
  sync: SyncMode | null;
  firstLogin: boolean;
}

/** Source of a value found with no provenance record at all. */
export function sourceWithoutRecord({ kind, sync, firstLogin }: AttributionContext): RecordedSource {
  if (isUpstream(kind)) {
    if (sync === 'on_each_login' || sync === null) return 'idp';
    if (sync === 'on_first_login' && firstLogin) return 'idp';
    return 'unknown';
  }
  if (!firstLogin) return 'unknown';
  if (kind === 'custom-db-import') return 'import';
  if (kind === 'passwordless') return 'signup';
  return 'unknown';
}

/** Source of a value whose digest differs from the recorded one (or that appeared after the first login). */
export function sourceOfChange({ kind, sync }: AttributionContext): RecordedSource {
  if (isUpstream(kind)) return sync === 'on_first_login' || sync === 'never_on_login' ? 'management_api' : 'idp';
  if (isAuth0AsIdp(kind)) return 'management_api';
  return 'unknown';
}

/** Source of a value that is new beside an existing record, at the user's first login. */
export function sourceAtCreation(
  context: AttributionContext,
  recorded: ReadonlyArray<AttributeEntry | undefined>,
): RecordedSource {
  let shared: RecordedSource | undefined;
  for (const entry of recorded) {
    if (!entry) continue;
    if (shared !== undefined && shared !== entry.source) {
      shared = undefined;
      break;
    }
    shared = entry.source;
  }
  if (shared !== undefined && shared !== 'unknown') return shared;
  if (isAuth0AsIdp(context.kind) || context.kind === 'custom-db-external') return 'signup';
  return sourceWithoutRecord(context);
}
