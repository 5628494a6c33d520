/**
 * `npm run check [-- --env NAME|all] [--tenant PATH] [--policy PATH] [--json]`: tenant.yaml and the policy,
 * checked before anything is deployed; with --env, as that environment fills tenant.yaml's placeholders,
 * with the environment's own file. Exit 0 clean (warnings allowed), 1 errors, 2 the files could not be read.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { commandArgs } from './lib/args';
import { ACTION_ENTRIES, BUNDLE_DIR } from './lib/action-entries';
import { buildActions } from './lib/build-actions';
import { runCheck, type CheckResult } from './check/index';
import { selectEnvironments } from './lib/environments';
import { EXIT, runCommand } from './lib/errors';

const USAGE = 'usage: npm run check -- [--env NAME|all] [--tenant PATH] [--policy PATH] [--json]';

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

function printText(result: CheckResult): void {
  for (const finding of result.findings) {
    const { file, line, col } = finding.location;
    const severity = finding.severity === 'error' ? paint(31, 'error') : paint(33, 'warning');
    console.log(`${file}:${line}:${col} ${severity} ${finding.code} ${finding.message}`);
    console.log(`  hint: ${finding.hint}`);
  }
  const files = `${result.tenantFile} and ${result.policyFile}${result.environment ? ` for environment ${result.environment}` : ''}`;
  if (result.findings.length === 0) console.log(`${files}: no problems found`);
  else console.log(`\n${result.errors} error${result.errors === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'} in ${files}`);
}

/**
 * A fresh clone has no bundles: the check would only say to build. It builds them first, as `npm run build`
 * does, and says so; a build that fails leaves the check to report why.
 */
async function buildIfNeverBuilt(tenantPath: string, policyFile: string | undefined, say: (line: string) => void): Promise<void> {
  const dir = path.dirname(path.resolve(tenantPath));
  if (!existsSync(path.resolve(tenantPath)) || ACTION_ENTRIES.some((entry) => existsSync(path.join(dir, BUNDLE_DIR, `${entry.bundle}.js`)))) return;
  try {
    await buildActions({ tenantPath, policyFile });
    say(`no bundles yet in ${path.relative(process.cwd(), path.join(dir, BUNDLE_DIR)) || BUNDLE_DIR}: built them first (npm run build)`);
  } catch {
    // The check reports what stops the build.
  }
}

void runCommand(async () => {
  const { values } = commandArgs('check', USAGE, { env: { type: 'string' }, tenant: { type: 'string', default: 'tenant.yaml' }, policy: { type: 'string' }, json: { type: 'boolean', default: false } });
  await buildIfNeverBuilt(values.tenant, values.policy, values.json ? (line) => console.error(line) : (line) => console.log(line));
  const environments = values.env === undefined ? [undefined] : selectEnvironments(values.tenant, values.env);
  const results = environments.map((environment) => runCheck({ tenantPath: values.tenant, policyFile: values.policy, environment }));
  if (values.json) console.log(JSON.stringify(values.env === 'all' ? results : results[0], null, 2));
  else results.forEach((result, i) => {
    if (i > 0) console.log('');
    printText(result);
  });
  return results.some((result) => result.errors > 0) ? EXIT.findings : EXIT.ok;
});
