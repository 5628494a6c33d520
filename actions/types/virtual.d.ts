/** Filled in by the build (scripts/build.ts) from tenant.yaml, and by tests/kit/tenant-connections.ts in jest. */
declare module 'virtual:tenant-connections' {
  import type { ActionConnectionTable } from '../lib/connection-table';
  /** Each connection's kind and effective sync setting. */
  export const connections: ActionConnectionTable;
  /** The fingerprint of the policy and the full connection table, as scripts compute it. */
  export const fingerprint: string;
}
