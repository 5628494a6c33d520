/**
 * The command line as people mistype it: through the real npm, a flag given without `--` (which npm keeps for
 * itself) is refused before anything happens; every command answers `--help` with its usage; `npm start`
 * refuses arguments it does not take.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { scriptCommand } from '../scripts/lib/script-command';
import { commandEnv, projectCopy, runAsync } from './support/project-copy';
import { workspace } from './support/workspace';

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

describe('Ctrl-C during a deploy', () => {
  it('stops a0deploy, leaves no file with a secret behind, and says what the tenant still lacks', async () => {
    const space = workspace();
    const temp = mkdtempSync(path.join(tmpdir(), 'interrupted-tmp-'));
    const [command, args] = scriptCommand('deploy.ts', ['--tenant', space.tenantPath]);
    // Its own process group, as a terminal's foreground job is: Ctrl-C signals the whole group.
    const child = spawn(command, args, { cwd: space.dir, env: commandEnv({ LOCAL_TENANT_DIR: space.stateDir, TMPDIR: temp, GOOGLE_CLIENT_SECRET: 'gs-interrupted-secret' }), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      // Once a0deploy is under way (its first line), as a person at the terminal would.
      if (!signalled && stdout.includes('a0deploy: ') && child.pid !== undefined) {
        signalled = true;
        process.kill(-child.pid, 'SIGINT');
      }
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(signalled).toBe(true);
    expect(status).toBe(130);
    expect(stderr).toContain('deploy interrupted (SIGINT): a0deploy was stopped part-way');
    expect(stderr).toMatch(/What the tenant still lacks of tenant\.yaml:\nPlan for the local tenant/);
    expect(stderr).toContain('Run npm run deploy again to finish.');
    expect(stdout + stderr).not.toContain('gs-interrupted-secret');
    // Nothing holding the deploy client's secret or the placeholders' values stays on disk, and no a0deploy runs on.
    expect(readdirSync(temp).filter((name) => name.startsWith('a0deploy-'))).toEqual([]);
    expect(spawnSync('pgrep', ['-f', space.tenantPath]).stdout.toString().trim()).toBe('');
    expect(existsSync(path.join(space.stateDir, 'deployments.json'))).toBe(false);
  });
});
