/**
 * `npm run simulate`: see commands/simulate.ts. Trust in the local tenant's certificate comes first (Node reads
 * NODE_EXTRA_CA_CERTS only at start, so this may run the command again with it set), then the command loads.
 */
import { defaultStateDir } from './lib/local-state';
import { trustLocalTenantOrRerun } from './lib/trust';

trustLocalTenantOrRerun(defaultStateDir());
// Loaded after the trust check (an import would be hoisted above it).
require('./commands/simulate');
