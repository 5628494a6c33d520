/**
 * What a team hits in its first week, each reproduced with the command as a child process (its stdout,
 * stderr and exit code asserted): a literal secret in an environment file is refused by every command
 * before it is used or printed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { projectCopy, runAsync } from './support/project-copy';

jest.setTimeout(120_000);

const SECRET = 'sk-literal-secret-value-7731';

describe('a literal credential in an environment file', () => {
  let dir: string;
  beforeAll(() => {
    dir = projectCopy();
    const file = path.join(dir, 'environments', 'staging.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('client_secret: AUTH0_STAGING_CLIENT_SECRET', `client_secret: ${SECRET}`));
  });

  it.each([
    ['deploy', ['--env', 'staging', '--plan', '--markdown', '--skip-unconfigured']],
    ['audit', ['--env', 'staging', '--no-users']],
    ['users', ['update', 'auth0|1', '--set', 'name=A Name', '--env', 'staging']],
    ['build', ['--env', 'staging']],
  ])('is refused by npm run %s at its line, never shown, before anything is sent', async (command, args) => {
    const run = await runAsync('npm', ['run', '-s', command, '--', ...args], { cwd: dir, env: { AUTH0_STAGING_CLIENT_ID: 'some-id' } });
    expect(run.status).toBe(2);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(run.stderr).toMatch(/environments\/staging\.yaml:8:\d+ credentials\.client_secret in .*staging\.yaml is not the name of an environment variable/);
    expect(run.stderr).toContain('hint: put the value in an environment variable (a CI secret) and write its name here, e.g. AUTH0_STAGING_CLIENT_SECRET');
  });
});
