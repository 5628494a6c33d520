/**
 * `npm run users -- update USER_ID --set name=… [--set picture=…] [--dry-run]`
 * `npm run users -- import FILE --connection NAME [--dry-run]`
 * Root-attribute writes through the Management API that the policy allows, each stamping provenance in
 * the same write. Targets AUTH0_DOMAIN when set, the local tenant otherwise.
 */
import { parseArgs } from 'node:util';
import { ProjectError, runCommand } from '../lib/errors';
import { loadProject } from '../lib/project';
import { openTarget } from '../lib/target';
import { importUsers } from '../users/import';
import { parseSets, updateUser } from '../users/update';

const USAGE = 'usage: npm run users -- update USER_ID --set ATTRIBUTE=VALUE [--set …] [--dry-run]\n       npm run users -- import FILE --connection NAME [--dry-run]';

void runCommand(async () => {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        set: { type: 'string', multiple: true, default: [] },
        connection: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        tenant: { type: 'string', default: 'tenant.yaml' },
        policy: { type: 'string' },
      },
      strict: true,
    });
  } catch (error) {
    throw new ProjectError('usage', (error as Error).message, { hint: USAGE });
  }
  const { values, positionals } = parsed;
  const [command, subject] = positionals;
  const say = (line: string) => console.log(line);
  if (command === 'update' && subject && positionals.length === 2) {
    const project = loadProject(values.tenant, values.policy);
    return updateUser(project, openTarget, { userId: subject, values: parseSets(values.set), dryRun: values['dry-run'] }, say);
  }
  if (command === 'import' && subject && positionals.length === 2) {
    if (!values.connection) throw new ProjectError('usage', 'import needs --connection NAME', { hint: USAGE });
    const project = loadProject(values.tenant, values.policy);
    return importUsers(project, openTarget, { file: subject, connection: values.connection, dryRun: values['dry-run'] }, say);
  }
  throw new ProjectError('usage', command ? `unknown or incomplete command: ${positionals.join(' ')}` : 'no command given', { hint: USAGE });
});
