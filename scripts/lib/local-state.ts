/** Where the project keeps what its local tenant and its Actions need: `.local/tenant` and `.local/action-dependencies` unless told otherwise. */
import * as path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export function defaultStateDir(): string {
  return path.resolve(process.env.LOCAL_TENANT_DIR ?? path.join(PROJECT_ROOT, '.local', 'tenant'));
}

/** Where Actions' declared npm dependencies are installed for the checker and the test kit: `.local/action-dependencies`, or ACTIONS_DEPENDENCY_CACHE. */
export function dependencyCacheDir(): string {
  return path.resolve(process.env.ACTIONS_DEPENDENCY_CACHE ?? path.join(PROJECT_ROOT, '.local', 'action-dependencies'));
}
