/**
 * `npm run adopt`: a live tenant — its `a0deploy export` in YAML — turned into this project's files, so that
 * deploying them changes nothing on the tenant but what adopting adds:
 *
 * - **tenant.yaml**: every section of the export, as exported; each upstream connection's live sync setting
 *   written out (`on_each_login` where the export leaves it out, as Auth0 does for the default); every secret a
 *   placeholder — the connections' secrets a0deploy masked, those it keeps (Twilio's token, Apple's key), the
 *   Actions' secrets it leaves without a value; the project's two Actions added and bound first, the tenant's own
 *   bindings kept after them in their order.
 * - **actions/policy.ts**: every connection with its live sync setting and the sources its kind allows, and
 *   enforcement `flag` at signup and login: adopting denies nobody.
 * - **environments/NAME.yaml**: the tenant's domain, the deploy client's variables, and a variable per secret.
 * - the files the export's sections name (Action code, custom database scripts, e-mail templates, pages, …).
 *
 * No file is overwritten that holds work the team would lose: one that differs from what adopt writes is
 * replaced only when git has it committed, when adopt wrote it last and it is unchanged since, or with --force.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { connectionKind, possibleSources, syncSettingApplies, type SyncMode } from '../../actions/lib/connection-kinds';
import { ACTION_ENTRIES, BUNDLE_DIR } from '../lib/action-entries';
import { ENVIRONMENTS_FOLDER } from '../lib/environments';
import { ProjectError } from '../lib/errors';
import { placeholders } from '../lib/keywords';
import { placeholderName } from '../lib/placeholders';
import { isPlaceholder, secretOptionPaths } from '../lib/secrets';
import { isRecord } from '../lib/tenant-model';

export interface AdoptOptions {
  /** The folder of an `a0deploy export --format yaml`. */
  exportDir: string;
  /** Where tenant.yaml goes; actions/, environments/ and the export's files go beside it. */
  tenantPath: string;
  /** The environment the tenant is (its file's name, its variables' prefix). */
  environment: string;
  /** The tenant's domain, for the environment file. */
  domain: string;
  force: boolean;
}

export interface AdoptResult {
  written: string[];
  /** Placeholder → the environment variable that must hold its value. */
  secrets: Record<string, string>;
  /** Upstream connections whose sync setting the export left out (on_each_login, written out). */
  syncWrittenOut: string[];
  connections: number;
  teamActions: string[];
}

/** The project's two Actions, as the shipped tenant.yaml has them. */
const PROJECT_ACTIONS = ACTION_ENTRIES.map((entry) => ({
  name: `root-attributes-${entry.bundle}`,
  code: `./${BUNDLE_DIR}/${entry.bundle}.js`,
  runtime: 'node22',
  dependencies: [],
  secrets: [],
  supported_triggers: [{ id: entry.trigger, version: entry.triggerVersion }],
  deployed: true,
}));
const DISPLAY_NAMES: Record<string, string> = { 'pre-user-registration': 'Root attributes at signup', 'post-login': 'Root attribute provenance' };

const RECORD_FILE = path.join('.local', 'adopted.json');
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** Every file of a folder, relative to it. */
function filesOf(dir: string, under = ''): string[] {
  return readdirSync(path.join(dir, under)).flatMap((name) => {
    const relative = path.join(under, name);
    return statSync(path.join(dir, relative)).isDirectory() ? filesOf(dir, relative) : [relative];
  });
}

/** Whether git has the file committed as it is now (so replacing it loses nothing). */
function committed(dir: string, file: string): boolean {
  try {
    execFileSync('git', ['-C', dir, 'ls-files', '--error-unmatch', '--', file], { stdio: 'ignore' });
    return execFileSync('git', ['-C', dir, 'status', '--porcelain', '--', file], { encoding: 'utf8' }).trim() === '';
  } catch {
    return false;
  }
}

export function adopt(options: AdoptOptions): AdoptResult {
  const exportTenant = path.join(options.exportDir, 'tenant.yaml');
  if (!existsSync(exportTenant)) {
    throw new ProjectError('usage', `${options.exportDir} holds no tenant.yaml`, { hint: 'give the folder of an a0deploy export in YAML: a0deploy export --format yaml --output_folder DIR' });
  }
  const document = parseDocument(readFileSync(exportTenant, 'utf8'), { uniqueKeys: false });
  if (document.errors.length > 0) throw new ProjectError('tenant-invalid', `${exportTenant} is not YAML: ${document.errors[0]?.message.split('\n')[0] ?? ''}`);
  const data = document.toJS() as unknown;
  if (!isRecord(data)) throw new ProjectError('tenant-invalid', `${exportTenant} holds no sections`);
  const prefix = placeholderName(options.environment);
  const secrets: Record<string, string> = {};
  const secretVariable = (name: string) => (secrets[name] ??= `${prefix}_${name}`);

  // Connections: the sync setting written out, every secret a placeholder.
  const syncWrittenOut: string[] = [];
  let connections = 0;
  for (const section of ['databases', 'connections'] as const) {
    const list = data[section];
    if (!Array.isArray(list)) continue;
    list.forEach((item: unknown, index) => {
      if (!isRecord(item) || typeof item.name !== 'string') return;
      connections += 1;
      const strategy = typeof item.strategy === 'string' ? item.strategy : section === 'databases' ? 'auth0' : '';
      const options = isRecord(item.options) ? item.options : {};
      if (syncSettingApplies(connectionKind({ strategy, options })) && options.set_user_root_attributes === undefined) {
        document.setIn([section, index, 'options', 'set_user_root_attributes'], 'on_each_login');
        syncWrittenOut.push(item.name);
      }
      for (const place of secretOptionPaths(strategy, options)) {
        const value = place.reduce<unknown>((at, key) => (isRecord(at) ? at[key] : undefined), options);
        if (isPlaceholder(value)) continue;
        const name = placeholderName(`${item.name}_${place.at(-1) ?? 'secret'}`);
        document.setIn([section, index, 'options', ...place], `##${name}##`);
        secretVariable(name);
      }
    });
  }

  // The team's Actions: a secret without its value gets a placeholder.
  const teamActions: string[] = [];
  if (Array.isArray(data.actions)) {
    data.actions.forEach((action: unknown, index) => {
      if (!isRecord(action) || typeof action.name !== 'string') return;
      teamActions.push(action.name);
      if (!Array.isArray(action.secrets)) return;
      action.secrets.forEach((secret: unknown, at) => {
        if (!isRecord(secret) || typeof secret.name !== 'string' || (secret.value !== undefined && isPlaceholder(secret.value))) return;
        const name = placeholderName(`${action.name as string}_${secret.name}`);
        document.setIn(['actions', index, 'secrets', at, 'value'], `##${name}##`);
        secretVariable(name);
      });
    });
  }
  addProjectActions(document, data);

  // Whatever the export masked itself (##CONNECTIONS_…_SECRET##, ##SMTP_USER##, …): a secret each.
  const text = document.toString({ lineWidth: 0 });
  for (const name of placeholders(text)) secretVariable(name);

  const files = new Map<string, string | Buffer>();
  const header = [
    `# ${path.basename(options.exportDir)} adopted by npm run adopt: the tenant as a0deploy exported it, with the project's two`,
    '# Actions bound first, every upstream connection\'s sync setting written out and every secret a placeholder',
    `# (${ENVIRONMENTS_FOLDER}/${options.environment}.yaml names the variables). actions/policy.ts must agree; \`npm run check\` verifies it.`,
    '',
  ].join('\n');
  files.set('tenant.yaml', `${header}${text}`);
  for (const file of filesOf(options.exportDir)) {
    if (file === 'tenant.yaml' || file === 'ORIGIN.md') continue;
    files.set(file, readFileSync(path.join(options.exportDir, file)));
  }
  const dir = path.dirname(path.resolve(options.tenantPath));
  files.set(path.join('actions', 'policy.ts'), policySource(data, existingClaims(path.join(dir, 'actions', 'policy.ts'))));
  files.set(path.join(ENVIRONMENTS_FOLDER, `${options.environment}.yaml`), environmentSource(options, prefix, secrets));

  const record = readRecord(dir);
  const refused = [...files].filter(([file, content]) => {
    const target = path.join(dir, file);
    if (!existsSync(target)) return false;
    const current = readFileSync(target);
    if (sha256(current) === sha256(content)) return false;
    return !(options.force || record[file] === sha256(current) || committed(dir, file));
  });
  if (refused.length > 0) {
    throw new ProjectError('refused', `adopting would overwrite ${refused.map(([file]) => file).join(', ')}, changed since and not committed: nothing was written`, {
      hint: 'commit them (git keeps them), move them away, or run again with --force',
    });
  }
  const written: string[] = [];
  for (const [file, content] of files) {
    const target = path.join(dir, file);
    if (existsSync(target) && sha256(readFileSync(target)) === sha256(content)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileAtomic.sync(target, content);
    record[file] = sha256(content);
    written.push(file);
  }
  mkdirSync(path.join(dir, '.local'), { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(path.join(dir, RECORD_FILE), JSON.stringify(record, null, 1), { mode: 0o600 });
  return { written, secrets, syncWrittenOut, connections, teamActions };
}

function readRecord(dir: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(dir, RECORD_FILE), 'utf8'));
    return isRecord(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The project's Actions, first in `actions:` and first in their triggers' bindings. */
function addProjectActions(document: Document, data: Record<string, unknown>): void {
  const actions = Array.isArray(data.actions) ? data.actions.filter(isRecord) : [];
  const ours = PROJECT_ACTIONS.filter((action) => !actions.some((existing) => existing.name === action.name));
  if (!isSeq(document.get('actions'))) document.set('actions', document.createNode([]));
  const list = document.get('actions');
  if (isSeq(list)) list.items.unshift(...ours.map((action) => document.createNode(action)));
  if (!isMap(document.get('triggers'))) document.set('triggers', document.createNode({}));
  for (const [index, entry] of ACTION_ENTRIES.entries()) {
    const name = PROJECT_ACTIONS[index]?.name ?? '';
    const bindings = document.getIn(['triggers', entry.trigger]);
    const binding = document.createNode({ action_name: name, display_name: DISPLAY_NAMES[entry.trigger] ?? name });
    if (isSeq(bindings)) {
      if (!bindings.items.some((item) => isMap(item) && item.get('action_name') === name)) bindings.items.unshift(binding);
    } else {
      document.setIn(['triggers', entry.trigger], document.createNode([binding]));
    }
  }
}

/**
 * The claim namespace and metadata key the policy already has (records and ID-token claims depend on them), and
 * when the tenant was first adopted: adopting again keeps them.
 */
function existingClaims(policyFile: string): { namespace: string; metadataKey: string; adoptedAt: string } {
  const text = existsSync(policyFile) ? readFileSync(policyFile, 'utf8') : '';
  return {
    namespace: /\bnamespace:\s*'([^']+)'/.exec(text)?.[1] ?? 'https://example.com/',
    metadataKey: /\bmetadataKey:\s*'([^']+)'/.exec(text)?.[1] ?? 'root_attributes',
    // Adopting again keeps the first adoption's moment: the users the tenant had then are the ones it had.
    adoptedAt: /\badoptedAt:\s*'([^']+)'/.exec(text)?.[1] ?? new Date().toISOString(),
  };
}

/** A starting policy: each connection as it is on the tenant, nothing enforced. */
function policySource(data: Record<string, unknown>, claims: { namespace: string; metadataKey: string; adoptedAt: string }): string {
  const entries: string[] = [];
  for (const section of ['databases', 'connections'] as const) {
    for (const item of Array.isArray(data[section]) ? data[section].filter(isRecord) : []) {
      if (typeof item.name !== 'string') continue;
      const strategy = typeof item.strategy === 'string' ? item.strategy : section === 'databases' ? 'auth0' : '';
      const options = isRecord(item.options) ? item.options : {};
      const kind = connectionKind({ strategy, options });
      const sync = syncSettingApplies(kind) ? ((typeof options.set_user_root_attributes === 'string' ? options.set_user_root_attributes : 'on_each_login') as SyncMode) : null;
      const sources = possibleSources(kind, sync);
      entries.push([
        `    ${JSON.stringify(item.name)}: {`,
        ...(sync ? [`      sync: '${sync}',`] : []),
        `      sources: [${sources.map((source) => `'${source}'`).join(', ')}],`,
        '    },',
      ].join('\n'));
    }
  }
  return `/**
 * The sourcing policy npm run adopt started from the live tenant: every connection with the sync setting it has
 * there and every source its kind allows, and nothing enforced — adopting denies nobody. Narrow each
 * connection's sources to what you allow, then move enforcement to deny where you are sure (README: "The policy").
 *
 * \`npm run check\` verifies this file against tenant.yaml; \`npm run build\` inlines it into both Actions.
 */
import { definePolicy } from './lib/define-policy';

export default definePolicy({
  namespace: ${JSON.stringify(claims.namespace).replace(/"/g, "'")},
  metadataKey: ${JSON.stringify(claims.metadataKey).replace(/"/g, "'")},
  values: {},
  enforce: {
    signup: { required: 'flag', values: 'flag', sources: 'flag' },
    login: { required: 'flag', values: 'flag', sources: 'flag' },
  },
  unmanagedConnections: 'record',
  // The users the tenant had before this moment are never taken for new signups at their first login.
  adoptedAt: '${claims.adoptedAt}',
  connections: {
${entries.join('\n')}
  },
});
`;
}

function environmentSource(options: AdoptOptions, prefix: string, secrets: Record<string, string>): string {
  const lines = [
    `# The tenant adopted from ${path.basename(options.exportDir)}. Secrets never go in this file: only the NAMES of the`,
    '# environment variables (CI secrets) that hold them.',
    `domain: ${options.domain}`,
    'credentials:',
    `  client_id: AUTH0_${prefix}_CLIENT_ID`,
    `  client_secret: AUTH0_${prefix}_CLIENT_SECRET`,
    'values: {}',
    Object.keys(secrets).length === 0 ? 'secrets: {}' : 'secrets:',
    ...Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b)).map(([name, variable]) => `  ${name}: ${variable}`),
  ];
  return `${lines.join('\n')}\n`;
}
