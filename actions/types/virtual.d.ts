/** Filled in by the build (scripts/build.ts) from tenant.yaml, and by tests/kit/tenant-connections.ts in jest. */
declare module 'virtual:tenant-connections' {
  import type { ConnectionTable } from '../lib/connection-table';
  export const connections: ConnectionTable;
}
