/**
 * The command line as people mistype it: through the real npm, a flag given without `--` (which npm keeps for
 * itself) is refused before anything happens; every command answers `--help` with its usage; `npm start`
 * refuses arguments it does not take.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { projectCopy, runAsync } from './support/project-copy';

jest.setTimeout(180_000);

const dir = projectCopy();
const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'command-line-')), 'state');
const npm = (...args: string[]) => runAsync('npm', ['run', '-s', ...args], { cwd: dir, env: { LOCAL_TENANT_DIR: stateDir } });

describe('a flag npm took for itself', () => {
  it('stops npm run deploy --plan before it builds, plans or deploys anything, and names the command meant', async () => {
    const run = await npm('deploy', '--plan');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('error usage: npm took --plan for itself, so npm run deploy would run without it: nothing was done');
    expect(run.stderr).toContain('hint: put the command\'s flags after --: npm run deploy -- --plan');
    expect(run.stdout).toBe('');
    expect(existsSync(path.join(stateDir, 'deployments.json'))).toBe(false);
    expect(existsSync(path.join(dir, 'build'))).toBe(false);
  });

  it('stops the other commands the same way (--env, --json, --no-users, --dry-run)', async () => {
    expect((await npm('check', '--json')).stderr).toContain('npm took --json for itself, so npm run check would run without it');
    const audit = await npm('audit', '--env', 'staging', '--no-users');
    expect(audit.stderr).toContain('npm took --env, --no-users for itself');
    expect(audit.stderr).toContain('npm run audit -- --env VALUE --no-users');
    expect((await npm('users', '--dry-run')).stderr).toContain('npm took --dry-run for itself');
  });
});

describe('--help', () => {
  it.each(['build', 'check', 'deploy', 'audit', 'users', 'simulate', 'bench', 'app', 'tenant', 'start'])('is answered by npm run %s with its usage, and nothing else', async (command) => {
    const run = await npm(command, '--', '--help');
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^usage: npm (run )?${command}`));
  });
});

describe('npm start', () => {
  it('refuses an argument it does not take, before it starts anything', async () => {
    const run = await npm('start', '--', '--fast');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("error usage: Unknown option '--fast'");
    expect(run.stdout).toBe('');
  });
});
