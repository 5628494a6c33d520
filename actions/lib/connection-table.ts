/**
 * The connection table the build derives from tenant.yaml and inlines into each Action, so the login
 * path needs no network call: connection name → strategy, kind and effective sync setting.
 */
import type { ConnectionKind, SyncMode } from './connection-kinds';

export interface ConnectionEntry {
  strategy: string;
  kind: ConnectionKind;
  /** The effective `set_user_root_attributes` (absent in tenant.yaml means `on_each_login`); null where it does not apply. */
  sync: SyncMode | null;
}

export type ConnectionTable = Readonly<Record<string, ConnectionEntry>>;

/** What the Actions need of each connection: its kind and effective sync setting. */
export type ActionConnectionTable = Readonly<Record<string, Pick<ConnectionEntry, 'kind' | 'sync'>>>;
