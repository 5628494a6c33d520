/**
 * `npm run app [-- --port 3000] [--tenant 127.0.0.1:8443] [--client-id ID]`: serves the sample
 * single-page app (examples/spa) on https://127.0.0.1:3000, signing in to the local tenant that
 * `npm run tenant` runs, with tenant.yaml's "Sample single-page app". Ctrl-C stops it.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { commandArgs } from './lib/args';
import policy from '../actions/policy';
import { startSampleApp } from './app/server';
import { EXIT, ProjectError, runCommand } from './lib/errors';
import { defaultStateDir } from './lib/local-state';
import { readStateFile } from '@auth0-root-attributes/local-tenant';

const SPA_CLIENT = 'Sample single-page app';

void runCommand(async () => {
  const { values } = commandArgs('app', 'usage: npm run app -- [--port 3000] [--tenant 127.0.0.1:8443] [--client-id ID]', { port: { type: 'string', default: '3000' }, tenant: { type: 'string', default: '127.0.0.1:8443' }, 'client-id': { type: 'string' } });
  const stateDir = defaultStateDir();
  const certFile = path.join(stateDir, 'server.pem');
  if (!existsSync(certFile)) throw new ProjectError('usage', `no local tenant in ${path.relative(process.cwd(), stateDir)} yet`, { hint: 'run `npm start` (or `npm run tenant` and `npm run deploy`) first' });
  let clientId = values['client-id'];
  if (!clientId) {
    const state = readStateFile(stateDir);
    clientId = state.clients.find((client) => client.name === SPA_CLIENT)?.client_id;
    if (!clientId) throw new ProjectError('usage', `the local tenant has no client named "${SPA_CLIENT}"`, { hint: 'run `npm run deploy` to deploy tenant.yaml and its sample apps, or pass --client-id' });
  }
  // The tenant's certificate is for 127.0.0.1 and signed by its CA: the app uses it too.
  const app = await startSampleApp({
    port: Number(values.port),
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(path.join(stateDir, 'server-key.pem'), 'utf8'),
    config: { domain: values.tenant, clientId, namespace: policy.namespace },
  });
  console.log(`sample single-page app on ${app.origin}/ (tenant ${values.tenant}, client ${clientId})`);
  console.log('Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  return EXIT.ok;
});
