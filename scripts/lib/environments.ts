/**
 * Environments: one small file per tenant a team deploys to, `environments/NAME.yaml` beside tenant.yaml.
 *
 *     domain: acme-staging.eu.auth0.com          # the tenant (host, or host:port)
 *     credentials:                               # NAMES of environment variables, never values
 *       client_id: AUTH0_STAGING_CLIENT_ID
 *       client_secret: AUTH0_STAGING_CLIENT_SECRET
 *     values:                                    # tenant.yaml's placeholders that are not secrets
 *       GOOGLE_CLIENT_ID: 1234-staging.apps.googleusercontent.com
 *       CORP_OIDC_SYNC: on_each_login
 *     secrets:                                   # placeholders whose values are secrets: the variable holding each
 *       GOOGLE_CLIENT_SECRET: STAGING_GOOGLE_CLIENT_SECRET
 *     policy:                                    # changes to actions/policy.ts for this tenant
 *       enforce: { login: { values: flag } }
 *
 * Reading is lenient (what is well-formed is kept); `npm run check -- --env NAME` reports the rest,
 * each finding at its line (scripts/check/environments.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ProjectError } from './errors';
import type { KeywordValue } from './keywords';
import { isRecord } from './tenant-model';
import { readTenantFile, type TenantFile } from './tenant-yaml';

export const ENVIRONMENTS_FOLDER = 'environments';
export const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9_-]*$/;
/** How environment variables are named: what `credentials` and `secrets` must hold. */
export const VARIABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** `--env all` checks every environment, so no environment may be called that. */
export const ALL_ENVIRONMENTS = 'all';

export interface Environment {
  name: string;
  /** The file, parsed with positions (the tenant.yaml loader serves any YAML file). */
  file: TenantFile;
  /** The tenant's host (or host:port), when the file gives a string. */
  domain: string | undefined;
  /** Names of the environment variables holding the deploy client's id and secret. */
  credentials: { clientId: string | undefined; clientSecret: string | undefined };
  /** Placeholder → value, for placeholders that are not secrets. */
  values: Record<string, KeywordValue>;
  /** Placeholder → name of the environment variable holding its secret value. */
  secrets: Record<string, string>;
  /** Changes to the policy for this environment (merged into it: mappings key by key, the rest replaced). */
  policy: Record<string, unknown> | undefined;
}

export function environmentsFolder(tenantPath: string): string {
  return path.join(path.dirname(path.resolve(tenantPath)), ENVIRONMENTS_FOLDER);
}

/** The environments beside tenant.yaml, by name, sorted. */
export function environmentNames(tenantPath: string): string[] {
  const folder = environmentsFolder(tenantPath);
  if (!existsSync(folder)) return [];
  const names = readdirSync(folder)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => file.replace(/\.ya?ml$/, ''))
    .sort();
  // Promotion order: as the CI workflow first names each (`--env development`, then staging, …); the rest after.
  const order = promotionOrder(path.dirname(path.resolve(tenantPath)));
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return names.sort((a, b) => rank(a) - rank(b));
}

/** The environments the workflows beside tenant.yaml name with `--env NAME`, in the order they first do. */
function promotionOrder(dir: string): string[] {
  const workflows = path.join(dir, '.github', 'workflows');
  if (!existsSync(workflows)) return [];
  const order: string[] = [];
  for (const file of readdirSync(workflows).filter((name) => /\.ya?ml$/.test(name)).sort()) {
    for (const match of readFileSync(path.join(workflows, file), 'utf8').matchAll(/--env[ =]([A-Za-z0-9_-]+)/g)) {
      const name = match[1] ?? '';
      if (name !== ALL_ENVIRONMENTS && !order.includes(name)) order.push(name);
    }
  }
  return order;
}

export function environmentFile(tenantPath: string, name: string): string | undefined {
  const base = path.join(environmentsFolder(tenantPath), name);
  return [`${base}.yaml`, `${base}.yml`].find((file) => existsSync(file));
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export function readEnvironment(tenantPath: string, name: string): Environment {
  const file = ENVIRONMENT_NAME.test(name) ? environmentFile(tenantPath, name) : undefined;
  if (!file) {
    const known = environmentNames(tenantPath);
    const folder = path.relative(process.cwd(), environmentsFolder(tenantPath)) || '.';
    throw new ProjectError('usage', `there is no environment "${name}" (no ${path.join(folder, `${name}.yaml`)})`, {
      hint: known.length > 0 ? `environments: ${known.join(', ')}` : `create ${path.join(folder, `${name}.yaml`)}; the README's "Environments" section shows one`,
    });
  }
  const parsed = readTenantFile(file);
  const data = isRecord(parsed.data) ? parsed.data : {};
  const credentials = isRecord(data.credentials) ? data.credentials : {};
  const values: Record<string, KeywordValue> = {};
  if (isRecord(data.values)) {
    for (const [key, value] of Object.entries(data.values)) if (value !== undefined) values[key] = value as KeywordValue;
  }
  const secrets: Record<string, string> = {};
  if (isRecord(data.secrets)) {
    for (const [key, variable] of Object.entries(data.secrets)) if (typeof variable === 'string') secrets[key] = variable;
  }
  return {
    name,
    file: parsed,
    domain: text(data.domain),
    credentials: { clientId: text(credentials.client_id), clientSecret: text(credentials.client_secret) },
    values,
    secrets,
    policy: isRecord(data.policy) ? data.policy : undefined,
  };
}

/** `--env all` → every environment; a name → that one. */
export function selectEnvironments(tenantPath: string, selector: string): Environment[] {
  if (selector !== ALL_ENVIRONMENTS) return [readEnvironment(tenantPath, selector)];
  const names = environmentNames(tenantPath);
  if (names.length === 0) {
    throw new ProjectError('usage', `--env all: there are no environments in ${path.relative(process.cwd(), environmentsFolder(tenantPath)) || '.'}`, {
      hint: 'add environments/NAME.yaml files, or drop --env to use the local tenant',
    });
  }
  return names.map((name) => readEnvironment(tenantPath, name));
}

/**
 * Refuses an environment file that holds something other than a variable name where it names the deploy
 * client's credentials or a secret — most likely the secret itself. Every command but `check` (which lists
 * it as a finding) calls this before it reads a credential, so the value is never used or printed.
 */
export function refuseLiteralCredentials(environment: Environment): void {
  const fields: Array<{ path: Array<string>; value: string | undefined }> = [
    { path: ['credentials', 'client_id'], value: environment.credentials.clientId },
    { path: ['credentials', 'client_secret'], value: environment.credentials.clientSecret },
    ...Object.entries(environment.secrets).map(([key, value]) => ({ path: ['secrets', key], value })),
  ];
  const literal = fields.find((field) => field.value !== undefined && !VARIABLE_NAME.test(field.value));
  if (!literal) return;
  throw new ProjectError('usage', `${literal.path.join('.')} in ${environment.file.displayPath} is not the name of an environment variable (its value is not shown: it may be a secret); nothing was sent`, {
    location: environment.file.locate(literal.path),
    hint: `put the value in an environment variable (a CI secret) and write its name here, e.g. ${literal.path[0] === 'credentials' ? `AUTH0_${environment.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${literal.path[1]?.toUpperCase()}` : `${environment.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${literal.path[1]?.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`}`,
  });
}

/** The credentials' variables that are not set, by name (their values are never read out). */
export function missingCredentials(environment: Environment): string[] {
  const names = [environment.credentials.clientId ?? 'credentials.client_id', environment.credentials.clientSecret ?? 'credentials.client_secret'];
  return names.filter((name) => !VARIABLE_NAME.test(name) || !process.env[name]);
}
