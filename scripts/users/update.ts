/**
 * `users update USER_ID --set name=… [--set picture=…] [--dry-run]`: a Management API write of root
 * attributes that the policy allows, with the provenance stamp `management_api` in the same request.
 * Refused before any request when the value rules fail, or when the user's connection syncs
 * `on_each_login` (Auth0 would answer 400, and the IdP would overwrite the value at the next login).
 */
import { isRootAttribute, ROOT_ATTRIBUTES, type RootAttribute } from '../../actions/lib/attributes';
import type { CompiledConnection } from '../../actions/lib/compile-policy';
import { reconcile } from '../../actions/post-login/reconcile';
import { mayBeAuth0Default } from '../../actions/lib/auth0-defaults';
import { emailOf, trackedValues, valueViolations, type Violation } from '../../actions/lib/violations';
import { EXIT, ProjectError } from '../lib/errors';
import type { Project } from '../lib/project';
import type { Target } from '../lib/target';

export interface UpdateRequest {
  userId: string;
  values: Partial<Record<RootAttribute, string>>;
  dryRun: boolean;
}

export function parseSets(sets: readonly string[]): Partial<Record<RootAttribute, string>> {
  const values: Partial<Record<RootAttribute, string>> = {};
  for (const set of sets) {
    const equals = set.indexOf('=');
    const attribute = equals > 0 ? set.slice(0, equals) : set;
    if (!isRootAttribute(attribute)) throw new ProjectError('usage', `--set ${attribute}=…: ${attribute} is not a root attribute this project tracks`, { hint: `one of ${ROOT_ATTRIBUTES.join(', ')}` });
    if (equals < 0) throw new ProjectError('usage', `--set ${attribute} needs a value: --set ${attribute}=VALUE`);
    values[attribute] = set.slice(equals + 1);
  }
  if (Object.keys(values).length === 0) throw new ProjectError('usage', 'nothing to update: give at least one --set ATTRIBUTE=VALUE');
  return values;
}

/** The connection a user id names without asking the tenant: `google-oauth2|…` (social), `oidc|corp-oidc|…` (enterprise). */
export function connectionFromUserId(project: Project, userId: string): string | undefined {
  const [provider, second] = userId.split('|');
  const entries = Object.entries(project.table);
  if (second !== undefined && userId.split('|').length >= 3 && project.table[second]?.strategy === provider) return second;
  const byStrategy = entries.filter(([, entry]) => entry.strategy === provider);
  return byStrategy.length === 1 ? byStrategy[0]?.[0] : undefined;
}

function refuseSynced(connection: CompiledConnection | 'ignore' | 'deny' | undefined, name: string): void {
  if (typeof connection === 'object' && connection.sync === 'on_each_login') {
    throw new ProjectError('refused', `"${name}" syncs on_each_login, so Auth0 refuses Management API updates of name, given_name, family_name, nickname and picture (400 operation_not_supported), and the IdP would overwrite them at the next login anyway`, {
      hint: `change the value at the identity provider, or set set_user_root_attributes: on_first_login for "${name}" in tenant.yaml (and the policy) and deploy`,
    });
  }
}

export async function updateUser(project: Project, openTarget: () => Promise<Target>, request: UpdateRequest, say: (line: string) => void): Promise<number> {
  const { compiled } = project;
  // Values that break a rule are refused before any request — unless each could be Auth0's own default
  // for the user (name = their e-mail…), which only the user's e-mail can tell.
  const problems = valueViolations(compiled, request.values);
  const refuse = (found: Violation[]) => {
    for (const problem of found) say(`refused: ${problem.code}: ${problem.message}`);
    return EXIT.findings;
  };
  const maybeDefaults = problems.length > 0 && problems.every((problem) => mayBeAuth0Default(problem.attribute, request.values[problem.attribute] ?? ''));
  if (problems.length > 0 && !maybeDefaults) return refuse(problems);
  const guessed = connectionFromUserId(project, request.userId);
  if (guessed) refuseSynced(compiled.connection(guessed), guessed);

  const target = await openTarget();
  try {
    const user = (await target.management.users.get(request.userId)) as unknown as Record<string, unknown> & { identities?: Array<{ connection?: string }>; app_metadata?: Record<string, unknown> };
    if (maybeDefaults) {
      const remaining = valueViolations(compiled, request.values, emailOf(user));
      if (remaining.length > 0) return refuse(remaining);
    }
    const connectionName = user.identities?.[0]?.connection ?? '';
    const connection = compiled.connection(connectionName);
    refuseSynced(connection, connectionName);
    // The tenant decides, whatever tenant.yaml says: a connection reset to the default would refuse the write.
    const live = (await target.management.connections.list({ name: connectionName, take: 1 })).data[0];
    const liveSync = (live?.options as { set_user_root_attributes?: unknown } | undefined)?.set_user_root_attributes ?? 'on_each_login';
    if (typeof connection === 'object' && connection.sync !== null && liveSync === 'on_each_login') {
      throw new ProjectError('refused', `"${connectionName}" syncs on_each_login on the tenant (tenant.yaml says ${connection.sync}), so Auth0 would refuse this update`, {
        hint: 'run `npm run deploy` to put the connection back as tenant.yaml has it, then try again',
      });
    }
    if (typeof connection !== 'object') throw new ProjectError('refused', `the policy does not manage connection "${connectionName}" (unmanagedConnections: ${connection})`);
    const attributes = Object.keys(request.values) as RootAttribute[];
    const disallowed = attributes.filter((attribute) => !connection.attributes[attribute].sources.has('management_api'));
    if (disallowed.length > 0) {
      throw new ProjectError('refused', `the policy does not allow management_api as the source of ${disallowed.join(', ')} on "${connectionName}"`, { hint: 'add management_api to the sources of that connection in actions/policy.ts' });
    }
    const values = { ...trackedValues(user), ...request.values };
    const forced = Object.fromEntries(attributes.map((attribute) => [attribute, 'management_api' as const]));
    // A user who never logged in still has the values set at creation: attribute those as post-login would at the first login.
    const neverLoggedIn = (user as { logins_count?: unknown }).logins_count === 0;
    const { record } = reconcile({ compiled, connection, stored: user.app_metadata?.[project.policy.metadataKey], values, email: emailOf(user), firstLogin: neverLoggedIn, now: () => new Date().toISOString(), forcedSources: forced });
    const body = { ...request.values, app_metadata: { [project.policy.metadataKey]: record } };
    if (request.dryRun) {
      say(`dry run: would PATCH ${request.userId} (${connectionName}) setting ${attributes.join(', ')} with provenance management_api, in one request; nothing was sent`);
      return EXIT.ok;
    }
    await target.management.users.update(request.userId, body);
    say(`updated ${attributes.join(', ')} of ${request.userId} (${connectionName}); provenance management_api recorded in the same write`);
    return EXIT.ok;
  } finally {
    await target.close();
  }
}
