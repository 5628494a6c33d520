/**
 * `npm run users`: see commands/users.ts. Trust in the local tenant's certificate comes first (Node reads
 * NODE_EXTRA_CA_CERTS only at start, so this may run the command again with it set), then the command loads.
 */
import { trustLocalTenantOrRerun } from './lib/trust';

trustLocalTenantOrRerun();
// Loaded after the trust check (an import would be hoisted above it).
require('./commands/users');
