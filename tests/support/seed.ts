/**
 * A local tenant set up through the Management API as tenant.yaml would leave it, without a0deploy (the
 * deploy suites test that): the sample's connections and the project's two Actions as built for it, bound, plus
 * whatever Actions of its own a suite adds after them.
 */
import { sampleBundles } from './sample';
import type { ManagementApi } from '@auth0-root-attributes/local-tenant';

export const SHIPPED_CONNECTIONS = [
  { name: 'Username-Password-Authentication', strategy: 'auth0', options: { password_options: { complexity: { min_length: 12 } } } },
  { name: 'google-oauth2', strategy: 'google-oauth2', options: { set_user_root_attributes: 'on_first_login' } },
  { name: 'corp-oidc', strategy: 'oidc', display_name: 'Corporate sign-in', options: { set_user_root_attributes: 'on_each_login' } },
  { name: 'email', strategy: 'email', options: {} },
];

export interface TeamAction {
  name: string;
  trigger: 'post-login' | 'pre-user-registration';
  code: string;
  secrets?: Array<{ name: string; value: string }>;
}

function expectStatus(answer: { status: number; body: unknown }, status: number, what: string): void {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

export async function deployAction(api: ManagementApi, action: TeamAction): Promise<void> {
  const version = action.trigger === 'post-login' ? 'v3' : 'v2';
  const created = await api.call('POST', '/api/v2/actions/actions', { name: action.name, code: action.code, runtime: 'node22', secrets: action.secrets ?? [], supported_triggers: [{ id: action.trigger, version }] });
  expectStatus(created, 201, `creating ${action.name}`);
  expectStatus(await api.call('POST', `/api/v2/actions/actions/${(created.body as { id: string }).id}/deploy`), 200, `deploying ${action.name}`);
}

/** The shipped connections and the project's Actions, then `team` Actions bound after them, in order. */
export async function seedProjectTenant(api: ManagementApi, team: TeamAction[] = [], connections = SHIPPED_CONNECTIONS): Promise<void> {
  for (const connection of connections) expectStatus(await api.call('POST', '/api/v2/connections', connection), 201, `creating ${connection.name}`);
  const built = await sampleBundles();
  const project: TeamAction[] = (['pre-user-registration', 'post-login'] as const).map((trigger) => ({
    name: `root-attributes-${trigger}`,
    trigger,
    code: built[trigger] ?? '',
  }));
  for (const action of [...project, ...team]) await deployAction(api, action);
  for (const trigger of ['pre-user-registration', 'post-login'] as const) {
    const names = [...project, ...team].filter((action) => action.trigger === trigger).map((action) => action.name);
    expectStatus(await api.call('PATCH', `/api/v2/actions/triggers/${trigger}/bindings`, { bindings: names.map((value) => ({ ref: { type: 'action_name', value } })) }), 200, `binding ${trigger}`);
  }
}
