/**
 * `npm run deploy` as a person runs it, timed from the outside: once with nothing to change (the plan
 * skips a0deploy), once after one action changed (a0deploy runs).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../lib/build-actions';
import { scriptCommand } from '../lib/script-command';

export interface DeployFigures {
  unchangedMs: number[];
  oneActionChangedMs: number;
}

function deploy(dir: string): number {
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_TENANT_DIR: path.join(dir, 'state') };
  for (const key of ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'NODE_EXTRA_CA_CERTS']) delete env[key];
  const started = process.hrtime.bigint();
  const result = spawnSync(...scriptCommand('deploy.ts', ['--tenant', path.join(dir, 'tenant.yaml')]), { cwd: dir, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`deploy failed in the benchmark:\n${result.stdout}\n${result.stderr}`);
  return ms;
}

export function benchDeploy(dir: string): DeployFigures {
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(PROJECT_ROOT, 'connections'), path.join(dir, 'connections'), { recursive: true });
  // tenant.yaml plus one action of the team's own, whose code the second run changes.
  mkdirSync(path.join(dir, 'team'), { recursive: true });
  writeFileSync(path.join(dir, 'team', 'greeting.js'), 'exports.onExecutePostLogin = async () => {};\n');
  const shipped = readFileSync(path.join(PROJECT_ROOT, 'tenant.yaml'), 'utf8');
  writeFileSync(path.join(dir, 'tenant.yaml'), shipped.replace('\ntriggers:\n', '\n  - name: team-greeting\n    code: ./team/greeting.js\n    runtime: node22\n    supported_triggers:\n      - id: post-login\n        version: v3\n    deployed: true\n\ntriggers:\n'));
  deploy(dir);
  const unchangedMs = [deploy(dir), deploy(dir), deploy(dir)];
  writeFileSync(path.join(dir, 'team', 'greeting.js'), 'exports.onExecutePostLogin = async () => { /* changed */ };\n');
  return { unchangedMs, oneActionChangedMs: deploy(dir) };
}
