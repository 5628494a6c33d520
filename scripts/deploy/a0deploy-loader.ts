/**
 * tenant.yaml as a0deploy itself reads it, with its own code: the keyword replacement, js-yaml, then each
 * section's `parse` (which reads the files a section names — email templates, pages, forms, flows, prompts'
 * screen renderers — and fills them in). What comes out is what a0deploy goes on to send, so the plan digests
 * that instead of guessing which fields a file feeds.
 *
 * Only the offline half of a0deploy's `loadAssetsFromLocal`: its validation stage asks the tenant for its
 * current resources, which a plan must not need to digest a file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { ProjectError } from '../lib/errors';
import type { KeywordMappings } from '../lib/keywords';
import { omitKeys } from './model';

interface SectionParser {
  parse(context: unknown): Promise<Record<string, unknown>>;
}

type Item = Record<string, unknown>;

/** What the plan uses of one of a0deploy's resource handlers (`lib/tools/auth0/handlers`). */
interface Handler {
  /** Fields its update leaves out of the PATCH (read-only or immutable on Auth0), dotted paths allowed. */
  stripUpdateFields: string[];
}

interface ClientHandler extends Handler {
  isCimdClient(client: Item): boolean;
  /** The few fields a client registered by metadata document (CIMD) may be updated on. */
  getCIMDEditableFields(client: Item): Item;
}

interface DeployCli {
  YAMLContext: new (config: Record<string, unknown>, client: unknown) => { assets: Record<string, unknown> };
  parsers: Record<string, SectionParser>;
  keywordReplace: (text: string, mappings: KeywordMappings) => string;
  stripFields: (item: Item, fields: string[]) => Item;
  loadYaml: (text: string) => unknown;
  logger: { silent: boolean };
  clients: ClientHandler;
  resourceServers: Handler;
  clientGrants: Handler;
}

let loaded: DeployCli | undefined;

/** a0deploy's modules, loaded once: they are a deploy's business, not every command's. */
function deployCli(): DeployCli {
  if (loaded) return loaded;
  const from = createRequire(require.resolve('auth0-deploy-cli/package.json'));
  // A handler made without a client or configuration: only its lists and pure methods are used.
  const handler = <T>(name: string) => new (from(`./lib/tools/auth0/handlers/${name}`) as { default: new (options: unknown) => T }).default({ client: {}, config: () => undefined });
  const utils = from('./lib/tools/utils') as Pick<DeployCli, 'keywordReplace' | 'stripFields'>;
  loaded = {
    YAMLContext: (from('./lib/context/yaml') as { default: DeployCli['YAMLContext'] }).default,
    parsers: (from('./lib/context/yaml/handlers') as { default: DeployCli['parsers'] }).default,
    keywordReplace: utils.keywordReplace,
    stripFields: utils.stripFields,
    loadYaml: (from('js-yaml') as { load: DeployCli['loadYaml'] }).load,
    logger: (from('./lib/logger') as { default: DeployCli['logger'] }).default,
    clients: handler<ClientHandler>('clients'),
    resourceServers: handler<Handler>('resourceServers'),
    clientGrants: handler<Handler>('clientGrants'),
  };
  return loaded;
}

/**
 * Every section of tenant.yaml as a0deploy would send it, by section name. a0deploy's own notes about a
 * file (a screen renderer it cannot find, a path outside the folder) are its to print when it deploys.
 */
export async function loadAsDeployCli(tenantPath: string, mappings: KeywordMappings): Promise<Record<string, unknown>> {
  const cli = deployCli();
  const file = path.resolve(tenantPath);
  const context = new cli.YAMLContext({ AUTH0_INPUT_FILE: file, AUTH0_KEYWORD_REPLACE_MAPPINGS: mappings }, {}) as { assets: Record<string, unknown> };
  let raw: unknown;
  try {
    raw = cli.loadYaml(cli.keywordReplace(readFileSync(file, 'utf8'), mappings));
  } catch (error) {
    throw new ProjectError('tenant-invalid', `a0deploy cannot read ${path.relative(process.cwd(), file) || file}`, { cause: error, hint: 'run npm run check, which points at the line' });
  }
  Object.assign(context.assets, typeof raw === 'object' && raw !== null ? raw : {});
  const present = Object.keys(context.assets).filter((key) => context.assets[key] !== undefined && key !== 'exclude' && key !== 'include');
  // Without a clients section, a0deploy's resourceServers step asks the tenant for its clients, only to name an
  // API's `client_id`: offline, there are none to name it by, and the id stays as written.
  const noClients = context.assets.clients === undefined;
  if (noClients) context.assets.clients = [];
  const silent = cli.logger.silent;
  cli.logger.silent = true;
  try {
    for (const [name, parser] of Object.entries(cli.parsers)) {
      try {
        Object.assign(context.assets, await parser.parse(context));
      } catch (error) {
        throw new ProjectError('tenant-invalid', `a0deploy cannot load the ${name} section of ${path.basename(file)}: ${(error as Error).message}`, { cause: error, hint: 'run npm run check, and correct the file the section names' });
      }
    }
  } finally {
    cli.logger.silent = silent;
  }
  if (noClients) delete context.assets.clients;
  return Object.fromEntries(present.map((key) => [key, context.assets[key]]));
}

/** Renames a deprecated field to its successor unless the successor is set too (a0deploy's client sanitizer). */
function renamed(item: Item, from: string, to: string): Item {
  if (!(from in item)) return item;
  const { [from]: value, ...rest } = item;
  return to in rest ? rest : { ...rest, [to]: value };
}


/**
 * An application as a0deploy's clients handler writes it to a tenant that has it: its sanitizer renames
 * `cross_origin_auth` and `oidc_backchannel_logout` to their successors, drops logout and refresh settings from a
 * resource-server client, leaves `client_authentication_methods` (and then `token_endpoint_auth_method`) to its
 * credentials handler and `token_vault_privileged_access` to the tenant (export-only); a client registered by
 * metadata document is updated on its editable fields only; and the PATCH leaves out its `stripUpdateFields`.
 * Mirrors `processChanges`/`updateClient` in a0deploy's `handlers/clients.js`, whose lists it reads.
 */
export function clientAsSent(client: Item): Item {
  const { clients, stripFields } = deployCli();
  let sent = renamed(renamed(client, 'cross_origin_auth', 'cross_origin_authentication'), 'oidc_backchannel_logout', 'oidc_logout');
  if (sent.app_type === 'resource_server') sent = omitKeys(sent, ['oidc_backchannel_logout', 'oidc_logout', 'refresh_token']);
  if (sent.client_authentication_methods) sent = omitKeys(sent, ['token_endpoint_auth_method']);
  sent = omitKeys(sent, ['client_authentication_methods', 'token_vault_privileged_access']);
  if (clients.isCimdClient(sent)) sent = { name: sent.name, external_client_id: sent.external_client_id, ...clients.getCIMDEditableFields(sent) };
  return stripFields(sent, clients.stripUpdateFields.filter((field) => field !== 'client_id'));
}

/** Whether a0deploy treats the client as registered by metadata document (matched by `external_client_id`). */
export function isCimdClient(client: Item): boolean {
  return deployCli().clients.isCimdClient(client);
}

/**
 * The fields a0deploy updates on a system API such as "Auth0 My Account API" (every other field of it is
 * Auth0's): `updateResourceServer` in a0deploy's `handlers/resourceServers.js`.
 */
export const SYSTEM_API_FIELDS: readonly string[] = ['token_lifetime', 'proof_of_possession', 'skip_consent_for_verifiable_first_party_clients', 'subject_type_authorization', 'authorization_policy'];

/**
 * An API as a0deploy's resource servers handler writes it to a tenant that has it (on a system API it
 * writes only SYSTEM_API_FIELDS: the plan narrows to those when the tenant says the API is a system one).
 */
export function resourceServerAsSent(api: Item): Item {
  const { resourceServers, stripFields } = deployCli();
  return stripFields(api, resourceServers.stripUpdateFields.filter((field) => field !== 'identifier'));
}

/** A client grant as a0deploy's client grants handler writes it to a tenant that has it. */
export function clientGrantAsSent(grant: Item): Item {
  const { clientGrants, stripFields } = deployCli();
  return stripFields(grant, clientGrants.stripUpdateFields.filter((field) => field !== 'client_id' && field !== 'audience'));
}
