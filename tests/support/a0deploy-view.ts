/**
 * a0deploy's loader and handlers as the plan uses them, run in a child process for a test: a0deploy's own
 * dependencies include ESM-only ones (chalk) that Jest cannot load on Node 20. Takes `{ call, args }` as JSON in
 * its first argument and prints the answer as JSON.
 */
import { clientAsSent, loadAsDeployCli } from '../../scripts/deploy/a0deploy-loader';
import { desiredFrom } from '../../scripts/deploy/desired';

const calls: Record<string, (...args: never[]) => unknown> = {
  clientAsSent: (client: Record<string, unknown>) => clientAsSent(client),
  load: (tenantPath: string, mappings: Record<string, string>) => loadAsDeployCli(tenantPath, mappings),
  desired: async (tenantPath: string) => desiredFrom(await loadAsDeployCli(tenantPath, {}), { strategies: {} }),
};

void (async () => {
  const { call, args } = JSON.parse(process.argv[2] ?? '{}') as { call: string; args: never[] };
  const run = calls[call];
  if (!run) throw new Error(`no such call: ${call}`);
  process.stdout.write(JSON.stringify(await run(...args)));
})();
