/**
 * The project's own tests run on their own copy of the shipped sample — tenant.yaml, connections/,
 * environments/, the CI workflow and the policy, under tests/fixtures/sample — never on the files a fork
 * edits: a team changing its tenant.yaml or policy keeps the project's tests green. The fork's own files are
 * covered by the scenarios derived from them (tests/fork-scenarios.test.ts).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildActions, PROJECT_ROOT } from '../../scripts/lib/build-actions';

export const SAMPLE = path.join(__dirname, '..', 'fixtures', 'sample');
export const SAMPLE_TENANT = path.join(SAMPLE, 'tenant.yaml');
/** The sample's policy: `actions/policy.ts` beside its tenant.yaml, found there as a project's is. */
export const SAMPLE_POLICY = path.join(SAMPLE, 'actions', 'policy.ts');
export const SAMPLE_FOLDERS = ['connections', 'environments', '.github'] as const;

/** The sample's tenant.yaml, as text. */
export function sampleTenantText(): string {
  return readFileSync(SAMPLE_TENANT, 'utf8');
}

/**
 * The sample's policy as a module at `file` reads it: importing `./lib/define-policy` when `lib/` is beside it
 * (a fork's actions/), else the project's by its absolute path.
 */
export function samplePolicyText(file: string): string {
  const local = existsSync(path.join(path.dirname(file), 'lib', 'define-policy.ts'));
  const from = local ? './lib/define-policy' : path.join(PROJECT_ROOT, 'actions', 'lib', 'define-policy');
  return readFileSync(SAMPLE_POLICY, 'utf8').replace("from '../../../../actions/lib/define-policy'", `from ${JSON.stringify(from).replace(/"/g, "'")}`);
}

/**
 * Copies the sample into `dir`: tenant.yaml, connections/, environments/, .github/ and actions/policy.ts (which
 * the tool finds beside tenant.yaml); `{ policy: false }` leaves the policy out. Returns tenant.yaml's path.
 */
export function copySample(dir: string, options: { policy?: boolean } = {}): string {
  cpSync(SAMPLE_TENANT, path.join(dir, 'tenant.yaml'));
  for (const folder of SAMPLE_FOLDERS) cpSync(path.join(SAMPLE, folder), path.join(dir, folder), { recursive: true });
  if (options.policy !== false) writeSamplePolicy(dir);
  return path.join(dir, 'tenant.yaml');
}

/** Puts the sample's policy at `dir/actions/policy.ts`, beside a tenant.yaml of `dir` (a fixture's, say). */
export function writeSamplePolicy(dir: string): string {
  const file = path.join(dir, 'actions', 'policy.ts');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, samplePolicyText(file));
  return file;
}

let bundles: Promise<Record<string, string>> | undefined;

/** The sample's two Actions as `npm run build` makes them for it, by trigger (built once per process). */
export function sampleBundles(): Promise<Record<string, string>> {
  bundles ??= buildActions({ tenantPath: SAMPLE_TENANT, outDir: mkdtempSync(path.join(tmpdir(), 'sample-bundles-')) }).then((result) =>
    Object.fromEntries(result.actions.filter((action) => !action.team).map((action) => [action.entry.trigger, readFileSync(action.file, 'utf8')])),
  );
  return bundles;
}
