import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { APP_SECRET_SCOPES, DEPLOY_CLIENT_SCOPES, WHOLE_TENANT_SCOPES } from '@auth0-root-attributes/local-tenant';
import { DEPLOY_CLI_SECTIONS, DEPLOY_CLI_TRIGGERS } from '../scripts/lib/deploy-cli';

describe('what the checker knows of a0deploy', () => {
  it('matches the installed auth0-deploy-cli (update scripts/lib/deploy-cli.ts after an upgrade)', () => {
    // A child process: a0deploy loads ESM-only dependencies that jest's module system cannot require.
    const script = `
      const schema = require('auth0-deploy-cli/lib/tools/auth0/schema').default;
      const constants = require('auth0-deploy-cli/lib/tools/constants');
      console.log(JSON.stringify({ sections: Object.keys(schema.properties), triggers: (constants.default || constants).ACTIONS_TRIGGERS }));`;
    const installed = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { sections: string[]; triggers: string[] };
    expect(installed.sections).toEqual(DEPLOY_CLI_SECTIONS);
    expect(installed.triggers).toEqual(DEPLOY_CLI_TRIGGERS);
  });
});

describe('the scopes a deploy client needs', () => {
  it('are every one the local tenant grants its CLI client, listed in the README', () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    for (const scope of [...DEPLOY_CLIENT_SCOPES, ...WHOLE_TENANT_SCOPES, ...APP_SECRET_SCOPES]) expect(readme).toContain(`\`${scope}\``);
  });
});
