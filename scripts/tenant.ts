/**
 * `npm run tenant [-- --port N] [--state DIR]`: runs the local tenant in the foreground and prints how to reach it.
 * Ctrl-C stops it; its state stays in the state folder for the next run.
 */
import { parseArgs } from 'node:util';
import { EXIT, ProjectError, runCommand } from './lib/errors';
import { startLocalTenant } from './local-tenant/index';

void runCommand(async () => {
  let values;
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string', default: '8443' }, state: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new ProjectError('usage', (error as Error).message, { hint: 'usage: npm run tenant -- [--port N] [--state DIR]' });
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ProjectError('usage', `--port must be a port number, not ${values.port}`);
  const tenant = await startLocalTenant({ port, stateDir: values.state, onRequest: (line) => console.log(`${new Date().toISOString()} ${line}`) });
  console.log(`local tenant running on https://${tenant.domain}/ (state: ${tenant.stateDir})`);
  console.log(`AUTH0_DOMAIN=${tenant.domain}`);
  console.log(`AUTH0_CLIENT_ID=${tenant.clientId}`);
  console.log(`AUTH0_CLIENT_SECRET=${tenant.clientSecret}`);
  console.log(`NODE_EXTRA_CA_CERTS=${tenant.caPath}`);
  console.log('Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await tenant.close();
  return EXIT.ok;
});
