/**
 * `npm run simulate -- --connection NAME --profile FILE [--tenant PATH]`: one login through the deployed
 * Actions on the local tenant, the way `npm start` runs its story. Builds, checks and deploys first when
 * the plan has changes. The profile is JSON:
 * - upstream connections: what the IdP returns, `{ "user_id": "…", "email": …, "name": …, "picture": … }`;
 * - database connections: `{ "email": …, "password": …, "name": … }` (signs up first when the user is new);
 * - passwordless e-mail: `{ "email": … }`.
 */
import { readFileSync } from 'node:fs';
import { commandArgs } from '../lib/args';
import { buildAndCheck, deployTo } from '../deploy/run';
import { policyFileFor, policyFor } from '../lib/build-actions';
import { EXIT, ProjectError, runCommand } from '../lib/errors';
import { localTarget } from '../lib/target';
import { isRecord } from '../lib/tenant-model';
import { startLocalTenant, tenantKind } from '@auth0-root-attributes/local-tenant';
import { defaultStateDir } from '../lib/local-state';
import { loginClient, type Answer } from '../story/logins';
import { describeClaims, flowRecorder, sourcesOf } from '../story/report';

const USAGE = 'usage: npm run simulate -- --connection NAME --profile FILE [--tenant PATH]';

function readProfile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ProjectError('usage', `cannot read the profile ${file}: ${(error as Error).message.split('\n')[0] ?? ''}`, { hint: 'a JSON object such as { "user_id": "123", "name": "Ada Lovelace" }' });
  }
  if (!isRecord(parsed)) throw new ProjectError('usage', `the profile ${file} must be a JSON object`, { hint: USAGE });
  return parsed;
}

void runCommand(async () => {
  const { values } = commandArgs('simulate', USAGE, { connection: { type: 'string' }, profile: { type: 'string' }, tenant: { type: 'string', default: 'tenant.yaml' } });
  if (!values.connection || !values.profile) throw new ProjectError('usage', '--connection and --profile are required', { hint: USAGE });
  const profile = readProfile(values.profile);
  const policy = policyFor(policyFileFor(values.tenant));

  const quiet: string[] = [];
  if (!(await buildAndCheck({ tenantPath: values.tenant, say: (line) => quiet.push(line), warn: (line) => console.error(line) }))) return EXIT.findings;
  const flows = flowRecorder();
  const tenant = await startLocalTenant({ stateDir: defaultStateDir(), onFlow: flows.observe });
  const target = localTarget(tenant);
  try {
    const deployed = await deployTo(target, { tenantPath: values.tenant, allowDelete: false, planOnly: false, say: (line) => quiet.push(line), warn: (line) => console.error(line) });
    if (deployed.code !== 0) return deployed.code;
    if (deployed.deployed) console.log(`deployed tenant.yaml to ${target.label} first`);
    const connection = tenant.store.state.connections.find((candidate) => candidate.name === values.connection);
    if (!connection) throw new ProjectError('usage', `the local tenant has no connection "${values.connection}"`, { hint: `one of ${tenant.store.state.connections.map((c) => c.name).join(', ')}` });
    const app = tenant.store.state.clients.find((client) => client.name === 'Default App');
    if (!app) throw new Error('the local tenant has no Default App');
    const client = loginClient(tenant.domain, app.client_id, app.client_secret);

    const kind = tenantKind(connection);
    let answer: Answer;
    if (kind === 'upstream') {
      answer = await client.upstreamLogin(connection.name, profile);
    } else if (kind === 'passwordless') {
      const token = await managementToken(tenant);
      answer = await client.passwordlessLogin(connection.name, String(profile.email ?? ''), async (email) => {
        const response = await fetch(`https://${tenant.domain}/local/outbox?email=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${token}` } });
        const { messages } = (await response.json()) as { messages: Array<{ code: string }> };
        return messages.at(-1)?.code;
      });
    } else {
      const email = String(profile.email ?? '');
      const exists = tenant.store.users.withEmail(email.toLowerCase(), connection.name).length > 0;
      if (!exists) {
        const signup = await client.signup(connection.name, profile);
        console.log(`signup: ${signup.status}${signup.status === 200 ? '' : ` "${String(signup.body.description ?? '')}"`}`);
        for (const line of flows.take()) console.log(`  Action log: ${line}`);
        if (signup.status !== 200) return EXIT.findings;
      }
      answer = await client.passwordLogin(connection.name, email, String(profile.password ?? ''));
    }

    console.log(`login through ${connection.name} (${kind}${kind === 'upstream' ? `, syncs ${String(connection.options.set_user_root_attributes ?? 'on_each_login')}` : ''}): ${answer.status}`);
    for (const line of flows.take()) console.log(`  Action log: ${line}`);
    if (answer.status !== 200 || typeof answer.body.id_token !== 'string') {
      console.log(`  ${String(answer.body.error ?? 'error')}: ${String(answer.body.error_description ?? answer.body.description ?? '')}`);
      return EXIT.findings;
    }
    const claims = await client.verify(answer.body.id_token);
    console.log('ID token (verified against the JWKS):');
    for (const line of describeClaims(claims, policy.namespace)) console.log(`  ${line}`);
    const user = tenant.store.users.get(String(claims.sub));
    if (user) console.log(`recorded sources of ${user.user_id}: ${Object.entries(sourcesOf(user, policy.metadataKey)).map(([a, s]) => `${a} ← ${s}`).join(', ')}`);
    return EXIT.ok;
  } finally {
    await target.close();
  }
});

/** A Management API token, for the local-only outbox. */
async function managementToken(tenant: Awaited<ReturnType<typeof startLocalTenant>>): Promise<string> {
  const response = await fetch(`https://${tenant.domain}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, audience: `https://${tenant.domain}/api/v2/` }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
