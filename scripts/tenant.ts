/**
 * `npm run tenant [-- --port N] [--state DIR]`: runs the local tenant in the foreground and prints how to reach it.
 * Ctrl-C stops it; its state stays in the state folder for the next run.
 */
import { commandArgs } from './lib/args';
import { EXIT, ProjectError, runCommand } from './lib/errors';
import { startLocalTenant } from '@auth0-root-attributes/local-tenant';
import { defaultStateDir } from './lib/local-state';
import type { FlowResult, Trigger } from '@auth0-root-attributes/actions-runtime';
import { describeFailure } from './story/report';

/** Actions' real-time logs, as Auth0's: each console line of an execution, prefixed by trigger and action. */
function realTimeLog(trigger: Trigger, result: FlowResult): string[] {
  const at = new Date().toISOString();
  const lines = result.logs.map((log) => `${at} [${trigger}/${log.action}] ${log.line}`);
  if (result.failure) lines.push(`${at} [${trigger}/${result.failure.action}] failed: ${describeFailure(result.failure)}`);
  return lines;
}

/** A value as a POSIX shell reads it back unchanged: bare when it is plain, single-quoted otherwise. */
function shellQuoted(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

void runCommand(async () => {
  const usage = 'usage: npm run tenant -- [--port N] [--state DIR] [--rate-limit N]';
  const { values } = commandArgs('tenant', usage, { port: { type: 'string', default: '8443' }, state: { type: 'string' }, 'rate-limit': { type: 'string' } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ProjectError('usage', `--port must be a port number, not ${values.port}`);
  const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
  if (rateLimit !== undefined && !(Number.isInteger(rateLimit) && rateLimit >= 1)) throw new ProjectError('usage', `--rate-limit must be a whole number of Management API requests a second, at least 1, not ${values['rate-limit']}`, { hint: usage });
  const tenant = await startLocalTenant({
    port,
    stateDir: values.state ?? defaultStateDir(),
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    onRequest: (line) => console.log(`${new Date().toISOString()} ${line}`),
    onFlow: (trigger, result) => realTimeLog(trigger, result).forEach((line) => console.log(line)),
  });
  console.log(`local tenant running on https://${tenant.domain}/ (state: ${tenant.stateDir})${rateLimit !== undefined ? `, the Management API limited to ${rateLimit} requests a second` : ''}`);
  // Lines a shell can run as they are (a script can eval the export lines of the output it saved).
  const exported = { AUTH0_DOMAIN: tenant.domain, AUTH0_CLIENT_ID: tenant.clientId, AUTH0_CLIENT_SECRET: tenant.clientSecret, NODE_EXTRA_CA_CERTS: tenant.caPath };
  for (const [name, value] of Object.entries(exported)) console.log(`export ${name}=${shellQuoted(value)}`);
  // The sample web app of tenant.yaml, once deployed: where a browser signs in to it.
  const app = tenant.store.state.clients.find((client) => client.name === 'Sample web app' && client.callbacks.length > 0);
  if (app) {
    const login = new URL(`https://${tenant.domain}/authorize`);
    login.search = new URLSearchParams({ client_id: app.client_id, response_type: 'code', redirect_uri: app.callbacks[0] ?? '', scope: 'openid profile email' }).toString();
    console.log(`Sample web app login: ${login.href}`);
  } else {
    console.log('No sample web app yet: `npm run deploy` (or `npm start`) deploys tenant.yaml and its sample apps to this tenant.');
  }
  if (Number(process.versions.node.split('.')[0]) < 22) console.log(`Node ${process.versions.node}: this works, but Node 22 LTS is recommended (Auth0 runs Actions on node22).`);
  console.log('Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await tenant.close();
  return EXIT.ok;
});
