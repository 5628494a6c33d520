/**
 * Stands in for the build's `virtual:tenant-connections` module when jest imports the Action entries
 * from source: the same table, derived by the same code from the project's tenant.yaml.
 */
import * as path from 'node:path';
import policy from '../../actions/policy';
import { actionFingerprint } from '../../scripts/lib/build-actions';
import { deriveConnectionTable } from '../../scripts/lib/tenant-model';
import { readTenantFile } from '../../scripts/lib/tenant-yaml';

export const connections = deriveConnectionTable(readTenantFile(path.join(__dirname, '..', '..', 'tenant.yaml')).data, policy);
export const fingerprint = actionFingerprint(policy, connections);
