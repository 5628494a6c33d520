import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalTenant } from '@auth0-root-attributes/local-tenant';
(async () => {
  const tenant = await startLocalTenant({ stateDir: process.env.A0EX_STATE ?? mkdtempSync(path.join(tmpdir(), 'a0ex-')), onRequest: (line) => { if (!/ 2\d\d /.test(line) || process.env.ALLREQ) console.log('REQ', line); } });
  const config = path.join(tmpdir(), 'a0ex-config.json');
  writeFileSync(config, JSON.stringify({ AUTH0_DOMAIN: tenant.domain, AUTH0_CLIENT_ID: tenant.clientId, AUTH0_CLIENT_SECRET: tenant.clientSecret, AUTH0_KEYWORD_REPLACE_MAPPINGS: { SETUP_CONFIG: { type: 'API_KEY', api_key: 'x' }, AUTH0_DOMAIN: tenant.domain, CAPTCHA_ARKOSE_SECRET: 'x-captcha_arkose_secret', CAPTCHA_ARKOSE_SITE_KEY: 'x-captcha_arkose_site_key', CAPTCHA_FRIENDLY_CAPTCHA_SECRET: 'x-captcha_friendly_captcha_secret', CAPTCHA_FRIENDLY_CAPTCHA_SITE_KEY: 'x-captcha_friendly_captcha_site_key', CAPTCHA_HCAPTCHA_SECRET: 'x-captcha_hcaptcha_secret', CAPTCHA_HCAPTCHA_SITE_KEY: 'x-captcha_hcaptcha_site_key', CAPTCHA_RECAPTCHA_ENTERPRISE_API_KEY: 'x-captcha_recaptcha_enterprise_api_key', CAPTCHA_RECAPTCHA_ENTERPRISE_PROJECT_ID: 'x-captcha_recaptcha_enterprise_project_id', CAPTCHA_RECAPTCHA_ENTERPRISE_SITE_KEY: 'x-captcha_recaptcha_enterprise_site_key', CAPTCHA_RECAPTCHA_V2_SECRET: 'x-captcha_recaptcha_v2_secret', CAPTCHA_RECAPTCHA_V2_SITE_KEY: 'x-captcha_recaptcha_v2_site_key', ENV: 'dev', EVENT_STREAM_WEBHOOK_BEARER_TOKEN: 'x-event_stream_webhook_bearer_token', JWT_SECRET: 'x-jwt_secret', MY_CLIENT_ID: 'x-my_client_id' }, AUTH0_ALLOW_DELETE: false, ...(process.env.EXCLUDE ? { AUTH0_EXCLUDED: process.env.EXCLUDE.split(',') } : {}) }));
  const args = process.argv[2] === 'export' ? ['export', '-c', config, '-f', 'yaml', '-o', '/tmp/a0ex/out'] : ['import', '-c', config, '-i', '/tmp/a0ex/examples/yaml/tenant.yaml'];
  const child = spawn(process.execPath, [require.resolve('auth0-deploy-cli/lib/index.js'), ...args, '--env=false'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: tenant.caPath, NO_COLOR: '1' }, stdio: 'inherit' });
  await new Promise((resolve) => child.on('close', resolve));
  await tenant.close();
})();
