/**
 * Actions, their deployment, triggers and trigger bindings — what `a0deploy import` of `actions` and
 * `triggers` calls. Shapes follow recorded Management API traffic: a created or updated action is not
 * deployed until `POST …/deploy`; binding an action that was never deployed fails.
 */
import { declaredDependencies, dependencyProblem, installDependencies, isInstalled } from '@auth0-root-attributes/actions-runtime';
import { badRequest, conflict, notFound, type Route } from '../http';
import { newId, type ActionVersion, type StateStore, type StoredAction } from '../state';
import { array, object, onlyKeys, page, string } from './validate';

/** What GET /actions/triggers answers: the current and deprecated versions of Auth0's triggers. */
const TRIGGERS = [
  { id: 'post-login', version: 'v3', status: 'CURRENT' },
  { id: 'post-login', version: 'v2', status: 'DEPRECATED' },
  { id: 'credentials-exchange', version: 'v2', status: 'CURRENT' },
  { id: 'pre-user-registration', version: 'v2', status: 'CURRENT' },
  { id: 'pre-user-registration', version: 'v1', status: 'DEPRECATED' },
  { id: 'post-user-registration', version: 'v2', status: 'CURRENT' },
  { id: 'post-change-password', version: 'v2', status: 'CURRENT' },
  { id: 'send-phone-message', version: 'v2', status: 'CURRENT' },
  { id: 'password-reset-post-challenge', version: 'v1', status: 'CURRENT' },
  { id: 'custom-token-exchange', version: 'v1', status: 'CURRENT' },
  { id: 'login-post-identifier', version: 'v1', status: 'CURRENT' },
  { id: 'signup-post-identifier', version: 'v1', status: 'CURRENT' },
  { id: 'custom-email-provider', version: 'v1', status: 'CURRENT' },
  { id: 'custom-phone-provider', version: 'v1', status: 'CURRENT' },
  { id: 'event-stream', version: 'v1', status: 'CURRENT' },
  { id: 'mcp-tool', version: 'v1', status: 'CURRENT' },
  { id: 'password-hash-migration', version: 'v1', status: 'CURRENT' },
].map((trigger) => ({ ...trigger, runtimes: ['node18-actions', 'node22'], default_runtime: 'node22', binding_policy: 'trigger-bound', compatible_triggers: [] }));

const ACTION_FIELDS = ['name', 'code', 'runtime', 'dependencies', 'secrets', 'supported_triggers', 'modules', 'deploy'];
const RUNTIMES = ['node22', 'node18', 'node18-actions'];

function now(): string {
  return new Date().toISOString();
}

/** An action as the API shows it: secret values never leave the tenant. */
export function publicAction(action: StoredAction) {
  const { versions: _versions, deployed_version: deployed, build_error: buildError, ...rest } = action;
  return {
    ...rest,
    secrets: action.secrets.map(({ name, updated_at }) => ({ name, updated_at })),
    status: action.status ?? 'built',
    ...(buildError ? { build_error: { message: buildError } } : {}),
    ...(deployed ? { deployed_version: { ...deployed, deployed: true, status: 'built' } } : {}),
  };
}

function findAction(store: StateStore, id: string): StoredAction {
  const action = store.state.actions.find((candidate) => candidate.id === id);
  if (!action) throw notFound('The action does not exist.');
  return action;
}

function triggersOf(value: unknown[]): Array<{ id: string; version: string }> {
  return value.map((item) => {
    const trigger = object(item, 'supported_triggers item');
    const id = string(trigger, 'id', { required: true }) as string;
    const version = string(trigger, 'version') ?? 'v3';
    if (!TRIGGERS.some((known) => known.id === id)) throw badRequest(`Payload validation error: unknown trigger id ${JSON.stringify(id)}`);
    return { id, version };
  });
}

function secretsOf(value: unknown[], previous: StoredAction['secrets']) {
  return value.map((item) => {
    const secret = object(item, 'secrets item');
    const name = string(secret, 'name', { required: true, max: 128 }) as string;
    const given = string(secret, 'value', { max: 4096 });
    const kept = previous.find((old) => old.name === name);
    return { name, value: given ?? kept?.value ?? '', updated_at: given === undefined && kept ? kept.updated_at : now() };
  });
}

/** Applies a create or update body to an action (PATCH semantics: only given fields change). */
function apply(action: StoredAction, body: Record<string, unknown>): void {
  onlyKeys(body, ACTION_FIELDS);
  const name = string(body, 'name', { max: 128 });
  if (name !== undefined) action.name = name;
  const code = string(body, 'code', { max: 100_000 });
  if (code !== undefined) action.code = code;
  const runtime = string(body, 'runtime');
  if (runtime !== undefined) {
    if (!RUNTIMES.includes(runtime)) throw badRequest(`Payload validation error: runtime ${JSON.stringify(runtime)} is not supported`);
    action.runtime = runtime;
  }
  const dependencies = array(body, 'dependencies');
  if (dependencies !== undefined) {
    action.dependencies = dependencies.map((item) => {
      const dependency = object(item, 'dependencies item');
      onlyKeys(dependency, ['name', 'version', 'registry_url']);
      const name = string(dependency, 'name', { required: true, max: 214 }) as string;
      const version = string(dependency, 'version', { max: 64 }) ?? '';
      if (dependency.registry_url !== undefined) throw badRequest('Payload validation error: private registries are not supported (registry_url)');
      const problem = dependencyProblem({ name, version: version || 'latest' });
      if (problem) throw badRequest(`Payload validation error: ${problem}`);
      return { name, version };
    });
  }
  const secrets = array(body, 'secrets');
  if (secrets !== undefined) action.secrets = secretsOf(secrets, action.secrets);
  const triggers = array(body, 'supported_triggers');
  if (triggers !== undefined) action.supported_triggers = triggersOf(triggers);
  const modules = array(body, 'modules');
  if (modules !== undefined) action.modules = modules;
  action.updated_at = now();
  action.all_changes_deployed = false;
}

/**
 * Builds an action's draft as Auth0 does after each change: its declared dependencies are installed from
 * the npm registry (into the shared cache) while the action is `pending`; then it is `built`, or `failed`
 * with the reason. Only the latest change's build counts.
 */
export function actionBuilder(store: StateStore, dependencyCache: string) {
  const generations = new Map<string, number>();
  return (action: StoredAction): void => {
    const generation = (generations.get(action.id) ?? 0) + 1;
    generations.set(action.id, generation);
    const dependencies = declaredDependencies(action.dependencies);
    delete action.build_error;
    if (dependencies.every((dependency) => isInstalled(dependencyCache, dependency))) {
      action.status = 'built';
      return;
    }
    action.status = 'pending';
    void installDependencies(dependencyCache, dependencies).then((result) => {
      const current = store.state.actions.find((candidate) => candidate.id === action.id);
      if (!current || generations.get(action.id) !== generation) return;
      current.status = result.ok ? 'built' : 'failed';
      if (!result.ok) current.build_error = result.reason;
      store.save();
    });
  };
}

export type ActionBuilder = ReturnType<typeof actionBuilder>;

export function actionRoutes(store: StateStore, build: ActionBuilder): Route[] {
  const { state } = store;
  // Builds a tenant restart interrupted start again.
  for (const action of state.actions) if (action.status === 'pending') build(action);
  return [
    {
      method: 'GET',
      path: '/api/v2/actions/actions', scopes: ['read:actions'],
      handler: ({ query }) => {
        const { page: pageNumber, perPage } = page(query, 50, 100);
        let actions = state.actions;
        const name = query.get('actionName');
        if (name !== null) actions = actions.filter((action) => action.name === name);
        const trigger = query.get('triggerId');
        if (trigger !== null) actions = actions.filter((action) => action.supported_triggers.some((t) => t.id === trigger));
        if (query.get('deployed') === 'true') actions = actions.filter((action) => action.deployed_version !== null);
        const slice = actions.slice(pageNumber * perPage, (pageNumber + 1) * perPage);
        return { status: 200, body: { actions: slice.map((action) => publicAction(action)), total: actions.length, page: pageNumber, per_page: perPage } };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/actions/actions', scopes: ['create:actions'],
      handler: ({ body }) => {
        const fields = object(body);
        const name = string(fields, 'name', { required: true, max: 128 }) as string;
        string(fields, 'code', { required: true });
        if (!array(fields, 'supported_triggers')) throw badRequest('Payload validation error: Missing required property: supported_triggers');
        if (state.actions.some((action) => action.name === name)) throw conflict(`An action with the name '${name}' already exists.`, 'action_conflict');
        const created = now();
        const action: StoredAction = {
          id: newId(), name, code: '', runtime: 'node22', dependencies: [], secrets: [], supported_triggers: [], modules: [],
          created_at: created, updated_at: created, all_changes_deployed: false, deployed_version: null, versions: 0,
        };
        apply(action, fields);
        build(action);
        state.actions.push(action);
        store.save();
        return { status: 201, body: publicAction(action) };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/actions/actions/:id', scopes: ['read:actions'],
      handler: ({ params }) => ({ status: 200, body: publicAction(findAction(store, params.id ?? '')) }),
    },
    {
      method: 'PATCH',
      path: '/api/v2/actions/actions/:id', scopes: ['update:actions'],
      handler: ({ params, body }) => {
        const action = findAction(store, params.id ?? '');
        const fields = object(body);
        const name = string(fields, 'name');
        if (name !== undefined && state.actions.some((other) => other.name === name && other.id !== action.id)) {
          throw conflict(`An action with the name '${name}' already exists.`, 'action_conflict');
        }
        apply(action, fields);
        build(action);
        store.save();
        return { status: 200, body: publicAction(action) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/actions/actions/:id', scopes: ['delete:actions'],
      handler: ({ params, query }) => {
        const action = findAction(store, params.id ?? '');
        const bound = Object.values(state.bindings).some((list) => list.some((binding) => binding.action_id === action.id));
        if (bound && query.get('force') !== 'true') throw badRequest('The action is bound to a trigger; delete it with force=true.', 'action_bound');
        state.actions = state.actions.filter((candidate) => candidate.id !== action.id);
        for (const trigger of Object.keys(state.bindings)) state.bindings[trigger] = (state.bindings[trigger] ?? []).filter((b) => b.action_id !== action.id);
        store.save();
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/actions/actions/:id/deploy', scopes: ['create:actions'],
      handler: ({ params }) => {
        const action = findAction(store, params.id ?? '');
        // a0deploy retries this answer every 2 s while the draft builds; a failed build is final.
        if (action.status === 'pending') throw badRequest("A draft must be in the 'built' state before it can be deployed.");
        if (action.status === 'failed') throw badRequest(`The action '${action.name}' failed to build: ${action.build_error ?? 'unknown reason'}`, 'action_build_failed');
        action.versions += 1;
        const version: ActionVersion = {
          id: newId(),
          number: action.versions,
          code: action.code,
          runtime: action.runtime,
          dependencies: action.dependencies,
          secrets: action.secrets.map(({ name, updated_at }) => ({ name, updated_at })),
          supported_triggers: action.supported_triggers,
          created_at: now(),
        };
        action.deployed_version = version;
        action.all_changes_deployed = true;
        store.save();
        // The recorded answer shows the new version as built but not yet deployed; the action is deployed after.
        return {
          status: 200,
          body: { ...version, deployed: false, status: 'built', built_at: version.created_at, updated_at: version.created_at, action: { id: action.id, name: action.name, supported_triggers: action.supported_triggers, created_at: action.created_at, updated_at: action.updated_at, all_changes_deployed: false } },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/actions/modules', scopes: ['read:actions'],
      handler: ({ query }) => {
        const { page: pageNumber, perPage } = page(query, 50, 100);
        return { status: 200, body: { modules: [], total: 0, page: pageNumber, per_page: perPage } };
      },
    },
    { method: 'GET', path: '/api/v2/actions/triggers', scopes: ['read:actions', 'read:triggers'], handler: () => ({ status: 200, body: { triggers: TRIGGERS } }) },
    {
      method: 'GET',
      path: '/api/v2/actions/triggers/:trigger/bindings', scopes: ['read:actions', 'read:triggers'],
      handler: ({ params, query }) => {
        const trigger = knownTrigger(params.trigger ?? '');
        const { page: pageNumber, perPage } = page(query, 20, 50);
        const bindings = state.bindings[trigger] ?? [];
        const slice = bindings.slice(pageNumber * perPage, (pageNumber + 1) * perPage);
        return { status: 200, body: { bindings: slice.map((binding) => publicBinding(store, trigger, binding)), total: bindings.length, page: pageNumber, per_page: perPage } };
      },
    },
    {
      method: 'PATCH',
      path: '/api/v2/actions/triggers/:trigger/bindings', scopes: ['update:actions', 'update:triggers'],
      handler: ({ params, body }) => {
        const trigger = knownTrigger(params.trigger ?? '');
        const list = array(object(body), 'bindings');
        if (!list) throw badRequest('Payload validation error: Missing required property: bindings');
        const previous = state.bindings[trigger] ?? [];
        const next = list.map((item) => {
          const binding = object(item, 'bindings item');
          const ref = object(binding.ref, 'ref');
          const type = string(ref, 'type', { required: true });
          const value = string(ref, 'value', { required: true });
          const action = state.actions.find((candidate) => (type === 'action_id' ? candidate.id === value : type === 'action_name' ? candidate.name === value : false));
          if (!action) throw badRequest(`Could not find an action with ${type} '${value}'.`, 'invalid_binding');
          if (!action.supported_triggers.some((supported) => supported.id === trigger)) {
            throw badRequest(`The action '${action.name}' does not support the trigger '${trigger}'.`, 'invalid_binding');
          }
          if (!action.deployed_version && action.status === 'failed') {
            throw badRequest(`The action '${action.name}' failed to build (${action.build_error ?? 'unknown reason'}) and has no deployed version to bind.`, 'invalid_binding');
          }
          if (!action.deployed_version) {
            throw badRequest(`Trying to create a binding for an action that has not been deployed: '${action.name}'.`, 'invalid_binding');
          }
          const displayName = string(binding, 'display_name', { max: 128 }) ?? action.name;
          const kept = previous.find((old) => old.action_id === action.id && old.display_name === displayName);
          return kept ?? { id: newId(), action_id: action.id, display_name: displayName, created_at: now(), updated_at: now() };
        });
        state.bindings[trigger] = next;
        store.save();
        return { status: 200, body: { bindings: next.map((binding) => publicBinding(store, trigger, binding)) } };
      },
    },
  ];
}

function knownTrigger(trigger: string): string {
  if (!TRIGGERS.some((known) => known.id === trigger)) throw notFound(`The trigger '${trigger}' does not exist.`);
  return trigger;
}

function publicBinding(store: StateStore, trigger: string, binding: StateStore['state']['bindings'][string][number]) {
  const action = store.state.actions.find((candidate) => candidate.id === binding.action_id);
  return {
    id: binding.id,
    trigger_id: trigger,
    display_name: binding.display_name,
    action: action
      ? { id: action.id, name: action.name, supported_triggers: action.supported_triggers, created_at: action.created_at, updated_at: action.updated_at, all_changes_deployed: action.all_changes_deployed, runtime: action.runtime, status: action.status ?? 'built' }
      : null,
    created_at: binding.created_at,
    updated_at: binding.updated_at,
  };
}
