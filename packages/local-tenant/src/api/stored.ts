/**
 * The Management API resources a real tenant has that the local tenant keeps without acting on them: tenant
 * settings, attack protection's other settings, e-mail and phone providers and templates, Guardian, prompts,
 * branding, organizations, forms, flows, log streams, custom domains, … — what a0deploy deploys from a team's
 * whole tenant.yaml and exports back. Each is stored as sent (one row per resource in the `stored` table, written
 * as it changes) and served back in Auth0's shapes, so a0deploy's import and export complete and round-trip.
 * FIDELITY.md lists them under "Stored, not acted on".
 *
 * Three shapes cover most of them: a singleton (GET; PATCH merges at the first level, PUT replaces), a collection
 * (list with Auth0's paging, create, get, update, delete by id) and a parent's members (an organization's
 * connections, applications, client grants and discovery domains).
 */
import { randomBytes } from 'node:crypto';
import type { RowStatements } from '../database';
import { badRequest, conflict, notFound, type Route } from '../http';
import { listBody } from './validate';

export const STORED_SCHEMA = `
  CREATE TABLE IF NOT EXISTS stored (path TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (path, id));
`;

/** The stored resources: one statement per change. */
export class StoredResources {
  private readonly statements;

  constructor(db: RowStatements) {
    this.statements = {
      get: db.prepare('SELECT json FROM stored WHERE path = ? AND id = ?'),
      put: db.prepare('INSERT INTO stored (path, id, json) VALUES (?, ?, ?) ON CONFLICT (path, id) DO UPDATE SET json = excluded.json'),
      remove: db.prepare('DELETE FROM stored WHERE path = ? AND id = ?'),
      list: db.prepare('SELECT json FROM stored WHERE path = ? ORDER BY rowid'),
    };
  }

  get<T>(path: string, id = ''): T | undefined {
    const row = this.statements.get.get(path, id) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as T) : undefined;
  }

  put(path: string, id: string, value: unknown): void {
    this.statements.put.run(path, id, JSON.stringify(value));
  }

  remove(path: string, id: string): boolean {
    return this.statements.remove.run(path, id).changes > 0;
  }

  list<T>(path: string): T[] {
    return (this.statements.list.all(path) as Array<{ json: string }>).map((row) => JSON.parse(row.json) as T);
  }
}

type Body = Record<string, unknown>;

/** A resource of which a tenant has one. */
interface Singleton {
  path: string;
  /** `create`: the scope of a POST, where Auth0 has one of its own (the email provider's). */
  scopes: { read: string; update: string; create?: string };
  /** What a new tenant answers. */
  initial: Body | unknown[];
  /** How a0deploy writes it. */
  write: Array<'PATCH' | 'PUT' | 'POST'>;
  /** What Auth0 makes of a write before it keeps it. */
  normalize?: (body: Body) => Body;
}

/**
 * Session lifetimes are written in minutes (`session_lifetime_in_minutes`, as a0deploy sends them) or hours, and
 * kept and served in hours (`session_lifetime`).
 */
function sessionLifetimesInHours(body: Body): Body {
  const kept = { ...body };
  for (const name of ['session_lifetime', 'idle_session_lifetime', 'ephemeral_session_lifetime', 'idle_ephemeral_session_lifetime']) {
    const minutes = kept[`${name}_in_minutes`];
    delete kept[`${name}_in_minutes`];
    if (typeof minutes === 'number') kept[name] = minutes / 60;
  }
  return kept;
}

/** A resource of which a tenant has many, by id. */
interface Collection {
  path: string;
  /** The resource's name in Auth0's scopes (`read:organizations`). */
  scope: string;
  /** The id field and how a new one is made. */
  id: string;
  prefix: string;
  /** The field a paged answer lists them under (`{ organizations: [...], total }`). */
  wrap: string;
  /** A field no two may share: creating a second answers 409, as Auth0 does for an organization's name. */
  unique?: string;
}

const singletons: readonly Singleton[] = [
  {
    path: '/api/v2/tenants/settings',
    scopes: { read: 'read:tenant_settings', update: 'update:tenant_settings' },
    initial: { friendly_name: 'Local tenant', enabled_locales: ['en'], flags: { enable_client_connections: false }, sandbox_version: '22', session_lifetime: 72, idle_session_lifetime: 72 },
    write: ['PATCH'],
    normalize: sessionLifetimesInHours,
  },
  ...['brute-force-protection', 'breached-password-detection', 'bot-detection', 'captcha'].map((name): Singleton => ({
    path: `/api/v2/attack-protection/${name}`,
    scopes: { read: 'read:attack_protection', update: 'update:attack_protection' },
    initial: {
      'brute-force-protection': { enabled: true, shields: ['block', 'user_notification'], mode: 'count_per_identifier_and_ip', allowlist: [], max_attempts: 10 },
      'breached-password-detection': { enabled: false, shields: [], admin_notification_frequency: [], method: 'standard', stage: { 'pre-user-registration': { shields: [] }, 'pre-change-password': { shields: [] } } },
      'bot-detection': { bot_detection_level: 'medium', challenge_password_policy: 'never', challenge_passwordless_policy: 'never', challenge_password_reset_policy: 'never', allowlist: [], monitoring_mode_enabled: false },
      captcha: { active_provider_id: 'auth_challenge' },
    }[name] as Body,
    write: ['PATCH'],
  })),
  { path: '/api/v2/emails/provider', scopes: { read: 'read:email_provider', update: 'update:email_provider', create: 'create:email_provider' }, initial: {}, write: ['PATCH', 'POST'] },
  { path: '/api/v2/prompts', scopes: { read: 'read:prompts', update: 'update:prompts' }, initial: { universal_login_experience: 'new', identifier_first: false, webauthn_platform_first_factor: false }, write: ['PATCH'] },
  { path: '/api/v2/branding', scopes: { read: 'read:branding', update: 'update:branding' }, initial: {}, write: ['PATCH'] },
  { path: '/api/v2/guardian/policies', scopes: { read: 'read:mfa_policies', update: 'update:mfa_policies' }, initial: [], write: ['PUT'] },
  { path: '/api/v2/guardian/factors/phone/message-types', scopes: { read: 'read:guardian_factors', update: 'update:guardian_factors' }, initial: { message_types: ['sms'] }, write: ['PUT'] },
  { path: '/api/v2/guardian/factors/phone/selected-provider', scopes: { read: 'read:guardian_factors', update: 'update:guardian_factors' }, initial: { provider: 'auth0' }, write: ['PUT'] },
  ...['sms', 'phone'].map((factor): Singleton => ({
    path: `/api/v2/guardian/factors/${factor}/templates`,
    scopes: { read: 'read:guardian_factors', update: 'update:guardian_factors' },
    initial: { enrollment_message: '{{code}} is your verification code for {{tenant.friendly_name}}. Please enter this code to verify your enrollment.', verification_message: '{{code}} is your verification code for {{tenant.friendly_name}}' },
    write: ['PUT'],
  })),
  ...['sms/providers/twilio', 'phone/providers/twilio', 'push-notification/providers/apns', 'push-notification/providers/sns', 'push-notification/providers/fcm', 'push-notification/providers/fcmv1'].map((provider): Singleton => ({
    path: `/api/v2/guardian/factors/${provider}`,
    scopes: { read: 'read:guardian_factors', update: 'update:guardian_factors' },
    initial: {},
    write: ['PUT', 'PATCH'],
  })),
  { path: '/api/v2/risk-assessments/settings', scopes: { read: 'read:security_metrics', update: 'update:security_metrics' }, initial: { enabled: false }, write: ['PATCH'] },
  { path: '/api/v2/risk-assessments/settings/new-device', scopes: { read: 'read:security_metrics', update: 'update:security_metrics' }, initial: { remember_for: 30 }, write: ['PATCH'] },
  { path: '/api/v2/supplemental-signals', scopes: { read: 'read:attack_protection', update: 'update:attack_protection' }, initial: { akamai_enabled: false }, write: ['PATCH'] },
];

/** A resource of which each parent (a connection, an organization) has one, under the parent's path. */
interface Keyed {
  /** With `:id`, the parent's id. */
  path: string;
  scopes: { read: string; update: string };
  write: Array<'PATCH' | 'PUT' | 'POST'>;
  /** What a parent without one answers; none means 404. */
  initial?: Body;
  /** The field naming the parent in what is stored. */
  parentField?: string;
  /** A route listing every parent's. */
  list?: { path: string; wrap: string };
}

const keyed: readonly Keyed[] = [
  {
    path: '/api/v2/connections/:id/directory-provisioning',
    scopes: { read: 'read:directory_provisionings', update: 'update:directory_provisionings' },
    write: ['POST', 'PATCH'],
    parentField: 'connection_id',
    list: { path: '/api/v2/connections-directory-provisionings', wrap: 'directory_provisionings' },
  },
  { path: '/api/v2/connections/:id/directory-provisioning/synchronized-groups', scopes: { read: 'read:directory_provisionings', update: 'update:directory_provisionings' }, write: ['PUT'], initial: { groups: [] } },
  { path: '/api/v2/self-service-profiles/:id/custom-text/:language/:page', scopes: { read: 'read:self_service_profile_custom_texts', update: 'update:self_service_profile_custom_texts' }, write: ['PUT'], initial: {} },
  { path: '/api/v2/prompts/:prompt/custom-text/:language', scopes: { read: 'read:prompts', update: 'update:prompts' }, write: ['PUT'], initial: {} },
  { path: '/api/v2/prompts/:prompt/partials', scopes: { read: 'read:prompts', update: 'update:prompts' }, write: ['PUT'], initial: {} },
  { path: '/api/v2/prompts/:prompt/screen/:screen/rendering', scopes: { read: 'read:prompts', update: 'update:prompts' }, write: ['PATCH'], initial: {} },
  { path: '/api/v2/connections/:id/scim-configuration', scopes: { read: 'read:scim_config', update: 'update:scim_config' }, write: ['POST', 'PATCH'], parentField: 'connection_id' },
];

/** Guardian's factors: each one's `enabled`, set by PUT /guardian/factors/{name}. */
const GUARDIAN_FACTORS = ['sms', 'push-notification', 'otp', 'email', 'duo', 'webauthn-roaming', 'webauthn-platform', 'recovery-code'];

const collections: readonly Collection[] = [
  { path: '/api/v2/organizations', scope: 'organizations', id: 'id', prefix: 'org_', wrap: 'organizations', unique: 'name' },
  { path: '/api/v2/forms', scope: 'forms', id: 'id', prefix: 'ap_', wrap: 'forms' },
  { path: '/api/v2/flows', scope: 'flows', id: 'id', prefix: 'af_', wrap: 'flows' },
  { path: '/api/v2/flows/vault/connections', scope: 'flows_vault_connections', id: 'id', prefix: 'ac_', wrap: 'connections' },
  { path: '/api/v2/log-streams', scope: 'log_streams', id: 'id', prefix: 'lst_', wrap: 'log_streams' },
  { path: '/api/v2/custom-domains', scope: 'custom_domains', id: 'custom_domain_id', prefix: 'cd_', wrap: 'custom_domains' },
  { path: '/api/v2/hooks', scope: 'hooks', id: 'id', prefix: '', wrap: 'hooks' },
  { path: '/api/v2/rules', scope: 'rules', id: 'id', prefix: 'rul_', wrap: 'rules' },
  { path: '/api/v2/self-service-profiles', scope: 'self_service_profiles', id: 'id', prefix: 'ssp_', wrap: 'self_service_profiles' },
  { path: '/api/v2/network-acls', scope: 'network_acls', id: 'id', prefix: 'acl_', wrap: 'network_acls' },
  { path: '/api/v2/event-streams', scope: 'event_streams', id: 'id', prefix: 'est_', wrap: 'eventStreams' },
  { path: '/api/v2/branding/themes', scope: 'branding', id: 'themeId', prefix: '', wrap: 'themes' },
  { path: '/api/v2/branding/phone/providers', scope: 'phone_providers', id: 'id', prefix: 'pro_', wrap: 'providers' },
  { path: '/api/v2/branding/phone/templates', scope: 'phone_templates', id: 'id', prefix: 'tem_', wrap: 'templates' },
  { path: '/api/v2/token-exchange-profiles', scope: 'token_exchange_profiles', id: 'id', prefix: 'tep_', wrap: 'token_exchange_profiles' },
  { path: '/api/v2/connection-profiles', scope: 'connection_profiles', id: 'id', prefix: 'cop_', wrap: 'connection_profiles' },
  { path: '/api/v2/user-attribute-profiles', scope: 'user_attribute_profiles', id: 'id', prefix: 'uap_', wrap: 'user_attribute_profiles' },
  { path: '/api/v2/rate-limit-policies', scope: 'rate_limit_policies', id: 'id', prefix: 'rlp_', wrap: 'rate_limit_policies' },
  { path: '/api/v2/actions/modules', scope: 'actions', id: 'id', prefix: '', wrap: 'modules' },
];

/**
 * A parent's members (an organization's connections, applications, client grants, discovery domains): listed,
 * added, read, changed and removed under the parent's path, each known by `key` — an id the request names
 * (`connection_id`) or, with `prefix`, one made on creation.
 */
interface Members {
  parent: string;
  /** Under the parent's `/:id`. */
  path: string;
  scope: string;
  key: string;
  prefix?: string;
  wrap: string;
  /** How its list pages: by page (always wrapped, with totals) or by checkpoint. */
  paging: 'page' | 'checkpoint';
  /** Added and removed in batches: POST and DELETE `{ [wrap]: [...] }` on the list itself. */
  batch?: boolean;
  /** Added and removed only, never changed (an organization's client grants). */
  fixed?: boolean;
}

const members: readonly Members[] = [
  { parent: '/api/v2/organizations', path: 'connections', scope: 'organization_connections', key: 'connection_id', wrap: 'connections', paging: 'page' },
  { parent: '/api/v2/organizations', path: 'enabled_connections', scope: 'organization_connections', key: 'connection_id', wrap: 'enabled_connections', paging: 'page' },
  { parent: '/api/v2/organizations', path: 'client-grants', scope: 'organization_client_grants', key: 'grant_id', wrap: 'client_grants', paging: 'page', fixed: true },
  { parent: '/api/v2/organizations', path: 'discovery-domains', scope: 'organization_discovery_domains', key: 'id', prefix: 'dd_', wrap: 'domains', paging: 'checkpoint' },
  { parent: '/api/v2/organizations', path: 'clients', scope: 'organization_clients', key: 'client_id', wrap: 'clients', paging: 'checkpoint', batch: true },
];

/** A keyed resource's key: every parameter of its path, in order. */
const keyOf = (params: Record<string, string>) => Object.values(params).join('\u0000');

function bodyOf(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Payload validation error: the body must be an object');
  return body as Body;
}

export function storedRoutes(stored: StoredResources): Route[] {
  const singletonRoutes = singletons.flatMap((resource): Route[] => [
    { method: 'GET', path: resource.path, scopes: [resource.scopes.read], handler: () => ({ status: 200, body: stored.get(resource.path) ?? resource.initial }) },
    ...resource.write.map((method): Route => ({
      method,
      path: resource.path,
      scopes: [method === 'POST' ? resource.scopes.create ?? resource.scopes.update : resource.scopes.update],
      handler: ({ body }) => {
        const current = stored.get<Body | unknown[]>(resource.path) ?? resource.initial;
        const written = Array.isArray(resource.initial) ? (Array.isArray(body) ? body : bodyOf(body)) : (resource.normalize ?? ((value: Body) => value))(bodyOf(body));
        const next = !Array.isArray(written) && method === 'PATCH' && !Array.isArray(current) ? { ...current, ...written } : written;
        stored.put(resource.path, '', next);
        return { status: method === 'POST' ? 201 : 200, body: next };
      },
    })),
  ]);
  const factorRoutes: Route[] = [
    {
      method: 'GET',
      path: '/api/v2/guardian/factors', scopes: ['read:guardian_factors'],
      handler: () => ({ status: 200, body: GUARDIAN_FACTORS.map((name) => ({ name, enabled: stored.get<boolean>('/api/v2/guardian/factors', name) ?? false, trial_expired: false })) }),
    },
    {
      method: 'PUT',
      path: '/api/v2/guardian/factors/:name', scopes: ['update:guardian_factors'],
      handler: ({ params, body }) => {
        if (!GUARDIAN_FACTORS.includes(params.name ?? '')) throw notFound('Factor not found');
        const enabled = bodyOf(body).enabled;
        if (typeof enabled !== 'boolean') throw badRequest('Payload validation error: Missing required property: enabled');
        stored.put('/api/v2/guardian/factors', params.name ?? '', enabled);
        return { status: 200, body: { enabled } };
      },
    },
  ];
  const emailRoutes: Route[] = [
    {
      method: 'GET',
      path: '/api/v2/email-templates/:name', scopes: ['read:email_templates'],
      handler: ({ params }) => {
        const template = stored.get('/api/v2/email-templates', params.name ?? '');
        if (!template) throw notFound('Template not found', 'inexistent_email_template');
        return { status: 200, body: template };
      },
    },
    ...(['POST', 'PATCH', 'PUT'] as const).map((method): Route => ({
      method,
      path: method === 'POST' ? '/api/v2/email-templates' : '/api/v2/email-templates/:name',
      scopes: [method === 'POST' ? 'create:email_templates' : 'update:email_templates'],
      handler: ({ params, body }) => {
        const fields = bodyOf(body);
        const name = method === 'POST' ? fields.template : params.name;
        if (typeof name !== 'string' || name === '') throw badRequest('Payload validation error: Missing required property: template');
        const current = stored.get<Body>('/api/v2/email-templates', name);
        if (method === 'POST' && current) throw conflict('Template already exists', 'template_conflict');
        if (method === 'PATCH' && !current) throw notFound('Template not found', 'inexistent_email_template');
        const next = { ...(method === 'PATCH' ? current : {}), ...fields, template: name };
        stored.put('/api/v2/email-templates', name, next);
        return { status: method === 'POST' ? 201 : 200, body: next };
      },
    })),
    {
      method: 'DELETE',
      path: '/api/v2/emails/provider', scopes: ['delete:email_provider'],
      handler: () => {
        stored.remove('/api/v2/emails/provider', '');
        return { status: 204 };
      },
    },
  ];
  const collectionRoutes = collections.flatMap((resource): Route[] => {
    const one = `${resource.path}/:id`;
    const find = (id: string | undefined) => {
      const item = stored.get<Body>(resource.path, id ?? '');
      if (!item) throw notFound(`${resource.wrap} not found: ${id ?? ''}`);
      return item;
    };
    return [
      { method: 'GET', path: resource.path, scopes: [`read:${resource.scope}`], handler: ({ query }) => ({ status: 200, body: listBody(stored.list<Body>(resource.path), query, resource.wrap, { checkpoint: true }) }) },
      {
        method: 'POST',
        path: resource.path, scopes: [`create:${resource.scope}`],
        handler: ({ body }) => {
          const fields = bodyOf(body);
          const unique = resource.unique;
          if (unique && stored.list<Body>(resource.path).some((item) => item[unique] === fields[unique])) {
            throw conflict(`An ${resource.wrap.replace(/s$/, '')} with this ${unique} already exists`, `${resource.wrap.replace(/s$/, '')}_conflict`);
          }
          const id = `${resource.prefix}${randomBytes(8).toString('hex')}`;
          const now = new Date().toISOString();
          const item = { ...fields, [resource.id]: id, created_at: now, updated_at: now };
          stored.put(resource.path, id, item);
          return { status: 201, body: item };
        },
      },
      { method: 'GET', path: one, scopes: [`read:${resource.scope}`], handler: ({ params }) => ({ status: 200, body: find(params.id) }) },
      ...(['PATCH', 'PUT'] as const).map((method): Route => ({
        method,
        path: one, scopes: [`update:${resource.scope}`],
        handler: ({ params, body }) => {
          const current = find(params.id);
          const next = { ...(method === 'PATCH' ? current : { created_at: current.created_at }), ...bodyOf(body), [resource.id]: params.id, updated_at: new Date().toISOString() };
          stored.put(resource.path, params.id ?? '', next);
          return { status: 200, body: next };
        },
      })),
      {
        method: 'DELETE',
        path: one, scopes: [`delete:${resource.scope}`],
        handler: ({ params }) => {
          if (!stored.remove(resource.path, params.id ?? '')) throw notFound(`${resource.wrap} not found: ${params.id ?? ''}`);
          for (const member of members.filter((candidate) => candidate.parent === resource.path)) {
            const area = `${resource.path}/${params.id ?? ''}/${member.path}`;
            for (const item of stored.list<Body>(area)) stored.remove(area, String(item[member.key]));
          }
          return { status: 204 };
        },
      },
    ];
  });
  const memberRoutes = members.flatMap((resource): Route[] => {
    const list = `${resource.parent}/:id/${resource.path}`;
    const one = `${list}/:member`;
    /** Where a parent's members are kept; 404 when there is no such parent. */
    const areaOf = (id: string | undefined) => {
      if (!stored.get(resource.parent, id ?? '')) throw notFound(`No ${resource.parent.split('/').at(-1)?.replace(/s$/, '') ?? 'parent'} found by that id`);
      return `${resource.parent}/${id ?? ''}/${resource.path}`;
    };
    const find = (area: string, key: string | undefined) => {
      const item = stored.get<Body>(area, key ?? '');
      if (!item) throw notFound(`Not found: ${key ?? ''}`);
      return item;
    };
    const add = (area: string, fields: Body) => {
      const key = resource.prefix ? `${resource.prefix}${randomBytes(8).toString('hex')}` : fields[resource.key];
      if (typeof key !== 'string' || key === '') throw badRequest(`Payload validation error: Missing required property: ${resource.key}`);
      const item = { ...fields, [resource.key]: key };
      stored.put(area, key, item);
      return item;
    };
    const items = (body: unknown) => {
      const listed = bodyOf(body)[resource.wrap];
      if (!Array.isArray(listed)) throw badRequest(`Payload validation error: Missing required property: ${resource.wrap}`);
      return listed;
    };
    return [
      {
        method: 'GET',
        path: list, scopes: [`read:${resource.scope}`],
        handler: ({ params, query }) => {
          const all = stored.list<Body>(areaOf(params.id));
          if (resource.paging === 'checkpoint') return { status: 200, body: listBody(all, new URLSearchParams({ take: query.get('take') ?? '50', ...(query.get('from') ? { from: query.get('from') ?? '' } : {}) }), resource.wrap, { checkpoint: true }) };
          const paged = new URLSearchParams(query);
          paged.set('include_totals', 'true');
          return { status: 200, body: listBody(all, paged, resource.wrap) };
        },
      },
      {
        method: 'POST',
        path: list, scopes: [`create:${resource.scope}`],
        handler: ({ params, body }) => {
          const area = areaOf(params.id);
          if (!resource.batch) return { status: 201, body: add(area, bodyOf(body)) };
          for (const item of items(body)) add(area, typeof item === 'object' && item !== null ? (item as Body) : { [resource.key]: item });
          return { status: 204 };
        },
      },
      ...(resource.batch
        ? [{
            method: 'DELETE',
            path: list, scopes: [`delete:${resource.scope}`],
            handler: ({ params, body }) => {
              const area = areaOf(params.id);
              for (const item of items(body)) stored.remove(area, String(typeof item === 'object' && item !== null ? (item as Body)[resource.key] : item));
              return { status: 204 };
            },
          } satisfies Route]
        : []),
      { method: 'GET', path: one, scopes: [`read:${resource.scope}`], handler: ({ params }) => ({ status: 200, body: find(areaOf(params.id), params.member) }) },
      ...(resource.fixed
        ? []
        : [{
            method: 'PATCH',
            path: one, scopes: [`update:${resource.scope}`],
            handler: ({ params, body }) => {
              const area = areaOf(params.id);
              const next = { ...find(area, params.member), ...bodyOf(body), [resource.key]: params.member };
              stored.put(area, params.member ?? '', next);
              return { status: 200, body: next };
            },
          } satisfies Route]),
      {
        method: 'DELETE',
        path: one, scopes: [`delete:${resource.scope}`],
        handler: ({ params }) => {
          if (!stored.remove(areaOf(params.id), params.member ?? '')) throw notFound(`Not found: ${params.member ?? ''}`);
          return { status: 204 };
        },
      },
    ];
  });
  const keyedRoutes = keyed.flatMap((resource): Route[] => [
    {
      method: 'GET',
      path: resource.path, scopes: [resource.scopes.read],
      handler: ({ params }) => {
        const item = stored.get(resource.path, keyOf(params));
        if (item === undefined && resource.initial === undefined) throw notFound(`Not found: ${resource.path.replace(':id', params.id ?? '')}`);
        return { status: 200, body: item ?? resource.initial };
      },
    },
    ...resource.write.map((method): Route => ({
      method,
      path: resource.path, scopes: [resource.scopes.update],
      handler: ({ params, body }) => {
        const current = stored.get<Body>(resource.path, keyOf(params));
        const next = { ...(method === 'PATCH' ? current : {}), ...bodyOf(body), ...(resource.parentField ? { [resource.parentField]: params.id } : {}) };
        stored.put(resource.path, keyOf(params), next);
        return { status: method === 'POST' ? 201 : 200, body: next };
      },
    })),
    {
      method: 'DELETE',
      path: resource.path, scopes: [resource.scopes.update],
      handler: ({ params }) => {
        stored.remove(resource.path, keyOf(params));
        return { status: 204 };
      },
    },
    ...(resource.list ? [{ method: 'GET', path: resource.list.path, scopes: [resource.scopes.read], handler: ({ query }) => ({ status: 200, body: listBody(stored.list<Body>(resource.path), query, resource.list?.wrap ?? '', { checkpoint: true }) }) } satisfies Route] : []),
  ]);
  const specialRoutes: Route[] = [
    {
      method: 'PATCH',
      path: '/api/v2/custom-domains/default', scopes: ['update:custom_domains'],
      handler: ({ body }) => {
        const domain = bodyOf(body).domain;
        if (typeof domain !== 'string') throw badRequest('Payload validation error: Missing required property: domain');
        stored.put('/api/v2/custom-domains/default', '', { domain });
        return { status: 200, body: { domain } };
      },
    },
    { method: 'GET', path: '/api/v2/custom-domains/default', scopes: ['read:custom_domains'], handler: () => ({ status: 200, body: stored.get('/api/v2/custom-domains/default') ?? {} }) },
    // The Universal Login page template: written as `{ template }`, read back as `{ body }`; 404 until one is set.
    {
      method: 'GET',
      path: '/api/v2/branding/templates/universal-login', scopes: ['read:branding'],
      handler: () => {
        const template = stored.get<string>('/api/v2/branding/templates/universal-login');
        if (template === undefined) throw notFound('Template does not exist', 'inexistent_template');
        return { status: 200, body: { body: template } };
      },
    },
    ...(['PUT', 'PATCH'] as const).map((method): Route => ({
      method,
      path: '/api/v2/branding/templates/universal-login', scopes: ['update:branding'],
      handler: ({ body }) => {
        const fields = typeof body === 'string' ? { template: body } : bodyOf(body);
        const template = typeof fields.template === 'string' ? fields.template : (fields.template as Body | undefined)?.body;
        if (typeof template !== 'string') throw badRequest('Payload validation error: Missing required property: template');
        stored.put('/api/v2/branding/templates/universal-login', '', template);
        return { status: 201 };
      },
    })),
    {
      method: 'DELETE',
      path: '/api/v2/branding/templates/universal-login', scopes: ['delete:branding'],
      handler: () => {
        stored.remove('/api/v2/branding/templates/universal-login', '');
        return { status: 204 };
      },
    },
    // Rules configs: the keys are listed, never the values (as Auth0 keeps them).
    { method: 'GET', path: '/api/v2/rules-configs', scopes: ['read:rules_configs'], handler: () => ({ status: 200, body: stored.list<Body>('/api/v2/rules-configs').map(({ key }) => ({ key })) }) },
    {
      method: 'PUT',
      path: '/api/v2/rules-configs/:key', scopes: ['update:rules_configs'],
      handler: ({ params, body }) => {
        const value = bodyOf(body).value;
        if (typeof value !== 'string') throw badRequest('Payload validation error: Missing required property: value');
        stored.put('/api/v2/rules-configs', params.key ?? '', { key: params.key, value });
        return { status: 200, body: { key: params.key, value } };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/rules-configs/:key', scopes: ['delete:rules_configs'],
      handler: ({ params }) => {
        stored.remove('/api/v2/rules-configs', params.key ?? '');
        return { status: 204 };
      },
    },
  ];
  return [...singletonRoutes, ...factorRoutes, ...emailRoutes, ...specialRoutes, ...keyedRoutes, ...memberRoutes, ...collectionRoutes];
}
