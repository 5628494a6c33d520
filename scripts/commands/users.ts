/**
 * `npm run users -- update USER_ID --set name=… [--set picture=…] [--dry-run] [--env NAME]`
 * `npm run users -- import FILE --connection NAME [--dry-run] [--no-upsert] [--env NAME]`
 * Root-attribute writes through the Management API that the policy allows, each stamping provenance in
 * the same write. Targets the environment's tenant with --env, else AUTH0_DOMAIN when set, else the
 * local tenant.
 */
import { commandArgs } from '../lib/args';
import { ALL_ENVIRONMENTS, readEnvironment, refuseLiteralCredentials } from '../lib/environments';
import { ProjectError, runCommand } from '../lib/errors';
import { loadProject } from '../lib/project';
import { openTarget } from '../lib/target';
import { importUsers } from '../users/import';
import { backfillUsers } from '../users/backfill';
import { parseSets, updateUser } from '../users/update';

const USAGE = 'usage: npm run users -- update USER_ID --set ATTRIBUTE=VALUE [--set …] [--dry-run] [--env NAME]\n       npm run users -- import FILE --connection NAME [--dry-run] [--no-upsert] [--env NAME]\n       npm run users -- backfill [--connection NAME] [--dry-run] [--env NAME]';

void runCommand(async () => {
  const { values, positionals } = commandArgs('users', USAGE, {
    set: { type: 'string', multiple: true, default: [] },
    connection: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'no-upsert': { type: 'boolean', default: false },
    env: { type: 'string' },
    tenant: { type: 'string', default: 'tenant.yaml' },
    policy: { type: 'string' },
  }, { allowPositionals: true });
  const [command, subject] = positionals;
  const say = (line: string) => console.log(line);
  if (values.env === ALL_ENVIRONMENTS) throw new ProjectError('usage', 'users takes one environment', { hint: USAGE });
  // With --env, the policy and table are that environment's: the records written carry its fingerprint.
  const environment = values.env === undefined ? undefined : readEnvironment(values.tenant, values.env);
  if (environment) refuseLiteralCredentials(environment);
  const target = () => openTarget(environment);
  if (command === 'update' && subject && positionals.length === 2) {
    const project = loadProject(values.tenant, values.policy, environment);
    return updateUser(project, target, { userId: subject, values: parseSets(values.set), dryRun: values['dry-run'] }, say);
  }
  if (command === 'import' && subject && positionals.length === 2) {
    if (!values.connection) throw new ProjectError('usage', 'import needs --connection NAME', { hint: USAGE });
    const project = loadProject(values.tenant, values.policy, environment);
    return importUsers(project, target, { file: subject, connection: values.connection, dryRun: values['dry-run'], upsert: !values['no-upsert'] }, say);
  }
  if (command === 'backfill' && positionals.length === 1) {
    const project = loadProject(values.tenant, values.policy, environment);
    const opened = await target();
    try {
      return await backfillUsers(project, opened, { connection: values.connection, dryRun: values['dry-run'], showProgress: process.stderr.isTTY === true }, say);
    } finally {
      await opened.close();
    }
  }
  throw new ProjectError('usage', command ? `unknown or incomplete command: ${positionals.join(' ')}` : 'no command given', { hint: USAGE });
});
