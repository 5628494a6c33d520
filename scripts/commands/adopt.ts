/**
 * `npm run adopt -- --from-export DIR | --env NAME [--domain DOMAIN] [--force] [--tenant PATH]`: a live tenant
 * turned into this project's files (scripts/adopt/adopt.ts says which, and how). `--from-export` reads an
 * `a0deploy export --format yaml`; `--env NAME` makes that export itself, read-only, from the tenant
 * environments/NAME.yaml names. Then it says what to run next.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { adopt } from '../adopt/adopt';
import { exportWithA0deploy } from '../deploy/a0deploy';
import { commandArgs } from '../lib/args';
import { ENVIRONMENT_NAME, readEnvironment, refuseLiteralCredentials } from '../lib/environments';
import { EXIT, ProjectError, runCommand } from '../lib/errors';
import { environmentTarget } from '../lib/target';

const USAGE = 'usage: npm run adopt -- (--from-export DIR | --env NAME) [--name NAME] [--domain DOMAIN] [--force] [--tenant PATH]';

void runCommand(async () => {
  const { values } = commandArgs('adopt', USAGE, {
    'from-export': { type: 'string' },
    env: { type: 'string' },
    name: { type: 'string' },
    domain: { type: 'string' },
    force: { type: 'boolean', default: false },
    tenant: { type: 'string', default: 'tenant.yaml' },
  });
  if ((values['from-export'] === undefined) === (values.env === undefined)) throw new ProjectError('usage', 'give one of --from-export DIR and --env NAME', { hint: USAGE });
  const name = values.name ?? values.env ?? 'production';
  if (!ENVIRONMENT_NAME.test(name)) throw new ProjectError('usage', `--name ${name}: an environment name is letters, digits and "-"`, { hint: USAGE });

  let exportDir = values['from-export'];
  let domain = values.domain;
  let made: string | undefined;
  if (values.env !== undefined) {
    const environment = readEnvironment(values.tenant, values.env);
    refuseLiteralCredentials(environment);
    const target = environmentTarget(environment);
    domain ??= target.domain;
    made = exportDir = mkdtempSync(path.join(tmpdir(), 'adopt-export-'));
    console.log(`exporting ${target.label} with a0deploy (read-only)`);
    const run = await exportWithA0deploy({ target, outputDir: exportDir, onLine: (line) => console.log(`  a0deploy: ${line}`) });
    if (run.code !== 0 || run.interrupted) {
      rmSync(made, { recursive: true, force: true });
      if (run.interrupted) throw new ProjectError('refused', `the export was interrupted (${run.interrupted}): nothing was written`);
      throw new ProjectError('refused', `a0deploy could not export ${target.label} (exit ${run.code}; its messages are above): nothing was written`, { hint: 'check the deploy client\'s scopes (README: "Setting up a fork")' });
    }
  }
  try {
    const result = adopt({ exportDir: path.resolve(exportDir ?? ''), tenantPath: values.tenant, environment: name, domain: domain ?? 'YOUR-TENANT.auth0.com', force: values.force });
    const variables = Object.values(result.secrets);
    console.log([
      `adopted ${result.connections} connections, ${result.teamActions.length} Actions of the tenant's own (${result.teamActions.join(', ') || 'none'}, bound after the project's) and every other section.`,
      `wrote ${result.written.length === 0 ? 'nothing: every file already was as adopting makes it' : result.written.join(', ')}`,
      ...(result.syncWrittenOut.length > 0 ? [`sync setting written out (on_each_login, as the tenant has it): ${result.syncWrittenOut.join(', ')}`] : []),
      ...(variables.length > 0 ? [`set these variables where you deploy (CI secrets): ${variables.join(', ')}; environments/${name}.yaml names them`] : []),
      ...(domain === undefined ? [`write the tenant's domain into environments/${name}.yaml (--domain gives it)`] : []),
      'next: npm run check, then npm run deploy -- --env ' + name + ' --plan (it shows only what adopting adds), then npm run users -- backfill --env ' + name,
    ].join('\n'));
    return EXIT.ok;
  } finally {
    if (made) rmSync(made, { recursive: true, force: true });
  }
});
