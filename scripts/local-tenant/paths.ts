/** Where the local tenant keeps its state, without loading the tenant itself. */
import * as path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** `.local/tenant` in the project, or LOCAL_TENANT_DIR. */
export function defaultStateDir(): string {
  return path.resolve(process.env.LOCAL_TENANT_DIR ?? path.join(PROJECT_ROOT, '.local', 'tenant'));
}
