/**
 * `npm run adopt`: see commands/adopt.ts. With --env it exports that tenant, whose certificate is trusted as
 * any other's; the local tenant's is trusted first all the same (Node reads NODE_EXTRA_CA_CERTS only at start).
 */
import { trustLocalTenantOrRerun } from './lib/trust';

trustLocalTenantOrRerun();
// Loaded after the trust check (an import would be hoisted above it).
require('./commands/adopt');
