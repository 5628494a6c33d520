/**
 * Rules over one environment file (`npm run check -- --env NAME`): its shape, that it holds no secret,
 * and that its values and tenant.yaml's placeholders match one for one. Without --env they find nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { OVERRIDABLE } from '../lib/policy-override';
import { ALL_ENVIRONMENTS, ENVIRONMENT_NAME, ENVIRONMENTS_FOLDER, VARIABLE_NAME, type Environment } from '../lib/environments';
import { nearest } from '../lib/suggest';
import type { PlaceholderUse } from '../lib/placeholders';
import { isRecord } from '../lib/tenant-model';
import { defineRule, type CheckContext, type Issue, type Rule } from './types';

const FIELDS = ['domain', 'credentials', 'values', 'secrets', 'policy'];
const CREDENTIALS = ['client_id', 'client_secret'];
const SECRET_NAME = /secret|password|passphrase|private_?key|api_?key|signing_?key|access_token|token/i;

const at = (environment: Environment, place: ReadonlyArray<string>, part: 'key' | 'value' = 'key') => environment.file.locate(place, part);

function* shape(environment: Environment): Iterable<Issue> {
  const file = environment.file;
  for (const problem of file.syntaxErrors) yield { location: problem.location, message: `YAML syntax error: ${problem.message}`, hint: 'fix the YAML syntax' };
  if (file.syntaxErrors.length > 0) return;
  if (!ENVIRONMENT_NAME.test(environment.name) || environment.name === ALL_ENVIRONMENTS) {
    yield { location: at(environment, []), message: `"${environment.name}" cannot name an environment`, hint: `rename the file: lower-case letters, digits, - and _, and not "${ALL_ENVIRONMENTS}" (--env ${ALL_ENVIRONMENTS} means every environment)` };
  }
  const data = file.data;
  if (!isRecord(data)) {
    yield { location: at(environment, []), message: `${file.displayPath} must be a mapping with ${FIELDS.join(', ')}`, hint: 'see the example at the top of scripts/lib/environments.ts or the README' };
    return;
  }
  for (const key of Object.keys(data)) {
    if (FIELDS.includes(key)) continue;
    const guess = nearest(key, FIELDS);
    yield { location: at(environment, [key]), message: `unknown field "${key}"${guess ? `; did you mean ${guess}?` : ''}`, hint: `an environment file has ${FIELDS.join(', ')}` };
  }
  const domain = data.domain;
  if (typeof domain !== 'string' || domain === '') {
    yield { location: at(environment, domain === undefined ? [] : ['domain'], domain === undefined ? 'key' : 'value'), message: 'the environment names no tenant: "domain" is missing or not a string', hint: 'add domain: your-tenant.eu.auth0.com' };
  } else if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(domain)) {
    yield { location: at(environment, ['domain'], 'value'), message: `domain must be a host name (or host:port) without scheme or path, not "${domain}"`, hint: 'e.g. domain: acme-staging.eu.auth0.com' };
  }
  if (!isRecord(data.credentials)) {
    yield { location: at(environment, data.credentials === undefined ? [] : ['credentials']), message: 'the environment has no credentials mapping', hint: 'add credentials: with client_id and client_secret, each the NAME of an environment variable' };
  } else {
    for (const key of CREDENTIALS) {
      if (typeof data.credentials[key] !== 'string' || data.credentials[key] === '') yield { location: at(environment, ['credentials']), message: `credentials.${key} is missing`, hint: `name the environment variable that holds the deploy client's ${key.replace('_', ' ')}` };
    }
    for (const key of Object.keys(data.credentials)) {
      if (!CREDENTIALS.includes(key)) yield { location: at(environment, ['credentials', key]), message: `unknown credential "${key}"`, hint: 'credentials has client_id and client_secret' };
    }
  }
  if (data.policy !== undefined && data.policy !== null) {
    if (!isRecord(data.policy)) {
      yield { location: at(environment, ['policy'], 'value'), message: 'policy must be a mapping of changes to actions/policy.ts', hint: 'e.g. policy:\n    enforce: { login: { values: flag } }' };
    } else {
      for (const key of Object.keys(data.policy)) {
        if ((OVERRIDABLE as readonly string[]).includes(key)) continue;
        const fixed = key === 'namespace' || key === 'metadataKey';
        const guess = nearest(key, OVERRIDABLE);
        yield {
          location: at(environment, ['policy', key]),
          message: fixed ? `policy.${key} cannot differ between environments: the records and claims of every tenant depend on it` : `policy.${key} is not something an environment can change${guess ? `; did you mean ${guess}?` : ''}`,
          hint: `an environment can change ${OVERRIDABLE.join(', ')}; ${fixed ? `change ${key} in actions/policy.ts for all of them` : 'everything else is set in actions/policy.ts'}`,
        };
      }
    }
  }
  for (const section of ['values', 'secrets'] as const) {
    const entries = data[section];
    if (entries === undefined || entries === null) continue;
    if (!isRecord(entries)) {
      yield { location: at(environment, [section], 'value'), message: `${section} must be a mapping of placeholder names`, hint: `e.g. ${section}:\n    GOOGLE_CLIENT_ID: ${section === 'values' ? '1234.apps.googleusercontent.com' : 'STAGING_GOOGLE_CLIENT_SECRET'}` };
      continue;
    }
    for (const [key, value] of Object.entries(entries)) {
      if (!/^[A-Za-z0-9_]+$/.test(key)) yield { location: at(environment, [section, key]), message: `"${key}" cannot be a placeholder name (a0deploy matches letters, digits and _ only)`, hint: 'rename the placeholder in tenant.yaml and here' };
      if (section === 'values' && (value === null || value === undefined)) yield { location: at(environment, [section, key]), message: `${key} has no value`, hint: 'give it a value, or remove it' };
      if (section === 'secrets' && typeof value !== 'string') yield { location: at(environment, [section, key], 'value'), message: `secrets.${key} must name an environment variable`, hint: `e.g. ${key}: ${environment.name.toUpperCase().replace(/-/g, '_')}_${key}` };
      if (key in environment.values && key in environment.secrets && section === 'secrets') {
        yield { location: at(environment, [section, key]), message: `${key} is under both values and secrets`, hint: 'keep it under secrets if it is one, under values otherwise' };
      }
    }
  }
}

/** Where the file names environment variables: its credentials and its secrets, each with its place. */
function namedVariables(environment: Environment): Array<{ place: [string, string]; variable: string }> {
  const { clientId, clientSecret } = environment.credentials;
  return [
    ...(clientId === undefined ? [] : [{ place: ['credentials', 'client_id'] as [string, string], variable: clientId }]),
    ...(clientSecret === undefined ? [] : [{ place: ['credentials', 'client_secret'] as [string, string], variable: clientSecret }]),
    ...Object.entries(environment.secrets).map(([key, variable]) => ({ place: ['secrets', key] as [string, string], variable })),
  ];
}

function* literalSecrets(environment: Environment, uses: readonly PlaceholderUse[]): Iterable<Issue> {
  const prefix = environment.name.toUpperCase().replace(/-/g, '_');
  for (const { place, variable } of namedVariables(environment)) {
    if (VARIABLE_NAME.test(variable)) continue;
    const [section, key] = place;
    yield {
      location: at(environment, place, 'value'),
      message: `${section}.${key} holds a value, not the name of an environment variable (the value is not printed)`,
      hint: `put the value in an environment variable (a CI secret) and write its name here, e.g. ${section === 'credentials' ? `AUTH0_${prefix}_${key.toUpperCase()}` : `${prefix}_${key}`}`,
    };
  }
  for (const key of Object.keys(environment.values)) {
    const secretUse = uses.find((use) => use.name === key && use.secret);
    if (!secretUse && !SECRET_NAME.test(key)) continue;
    yield {
      location: at(environment, ['values', key], 'value'),
      message: secretUse
        ? `values.${key} fills ${secretUse.where}, a secret: its value must not be in ${environment.file.displayPath} (it is not printed)`
        : `values.${key} is named like a secret: its value must not be in ${environment.file.displayPath} (it is not printed)`,
      hint: `move it under secrets: as ${key}: <NAME OF THE ENVIRONMENT VARIABLE HOLDING IT>, and rotate the value: it is in the repository's history`,
    };
  }
}

/** The CI workflows of the repository tenant.yaml is in (.github/workflows beside it), as text. */
function workflowTexts(root: string): Array<{ file: string; text: string }> {
  const folder = path.join(root, '.github', 'workflows');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => ({ file: path.join('.github', 'workflows', file), text: readFileSync(path.join(folder, file), 'utf8') }));
}

/** A rule about the environment being checked: it finds nothing when no --env was given. */
function environmentRule(rule: Omit<Rule, 'check'> & { check(environment: Environment, context: CheckContext): Iterable<Issue> }): Rule {
  return defineRule({ ...rule, check: (context) => (context.environment ? rule.check(context.environment, context) : []) });
}

export const ENVIRONMENT_RULES: readonly Rule[] = [
  defineRule({
    id: 'workflow-environment-missing',
    severity: 'error',
    description: 'Every environment the CI workflow plans, deploys or audits (`--env NAME`) has its file, environments/NAME.yaml: without it the job fails on every push.',
    hint: 'remove the jobs for it from the workflow, or put its environments/NAME.yaml back',
    *check(context) {
      for (const workflow of workflowTexts(context.tenant.dir)) {
        const lines = workflow.text.split('\n');
        for (const [index, line] of lines.entries()) {
          if (/^\s*#/.test(line)) continue;
          for (const match of line.matchAll(/--env[= ]([A-Za-z0-9_-]+)/g)) {
            const name = match[1] ?? '';
            if (name === ALL_ENVIRONMENTS || existsSync(path.join(context.tenant.dir, ENVIRONMENTS_FOLDER, `${name}.yaml`))) continue;
            yield {
              location: { file: workflow.file, line: index + 1, col: (match.index ?? 0) + 1 },
              message: `${workflow.file} runs a command for environment "${name}", which has no ${ENVIRONMENTS_FOLDER}/${name}.yaml`,
            };
          }
        }
      }
    },
  }),
  environmentRule({
    id: 'environment-invalid',
    severity: 'error',
    description: 'An environment file has domain, credentials (client_id, client_secret), values and secrets, each of the right type.',
    hint: 'compare with the README\'s environment example',
    check: shape,
  }),
  environmentRule({
    id: 'environment-secret-literal',
    severity: 'error',
    description: 'An environment file names environment variables for its credentials and secrets, and never holds a secret value itself.',
    hint: 'move the value into an environment variable (a CI secret) and name that variable in the file',
    check: (environment, context) => literalSecrets(environment, context.placeholders),
  }),
  environmentRule({
    id: 'placeholder-missing',
    severity: 'error',
    description: 'Every ##KEY## or @@KEY@@ placeholder tenant.yaml (or a file it loads) uses has a value in the environment: under values, or under secrets naming the variable that holds it.',
    hint: 'add the placeholder under values: (or under secrets: when it is one)',
    *check(environment, context) {
      const seen = new Set<string>();
      for (const use of context.placeholders) {
        if (seen.has(use.name) || use.name in environment.values || use.name in environment.secrets) continue;
        seen.add(use.name);
        yield {
          location: use.location,
          message: `${use.name} (used by ${use.where}) has no value in ${environment.file.displayPath}`,
          hint: use.secret
            ? `add it to ${environment.file.displayPath} under secrets: as ${use.name}: <NAME OF THE ENVIRONMENT VARIABLE HOLDING IT>`
            : `add it to ${environment.file.displayPath} under values:${SECRET_NAME.test(use.name) ? ' (or under secrets: if it is one)' : ''}`,
        };
      }
    },
  }),
  environmentRule({
    id: 'placeholder-unused',
    severity: 'error',
    description: 'Every value an environment gives fills a placeholder that tenant.yaml (or a file it loads) uses: an unused one is usually a misspelling.',
    hint: 'remove it, or use it in tenant.yaml as ##KEY## / @@KEY@@',
    *check(environment, context) {
      const used = new Set(context.placeholders.map((use) => use.name));
      const names = [...used];
      for (const section of ['values', 'secrets'] as const) {
        for (const key of Object.keys(section === 'values' ? environment.values : environment.secrets)) {
          if (used.has(key)) continue;
          const guess = nearest(key, names);
          yield { location: at(environment, [section, key]), message: `${section}.${key} is never used: tenant.yaml has no ##${key}## or @@${key}@@${guess ? `; did you mean ${guess}?` : ''}` };
        }
      }
    },
  }),
  environmentRule({
    id: 'environment-not-in-workflow',
    severity: 'warning',
    description: 'The CI workflow passes every variable an environment names (its credentials and secrets) to its jobs: a variable it does not pass is empty in CI.',
    hint: 'add VARIABLE: ${{ secrets.VARIABLE }} to the workflow\'s env: block and create the repository secret',
    *check(environment, context) {
      const workflows = workflowTexts(context.tenant.dir);
      if (workflows.length === 0) return;
      const mentions = (word: string) => workflows.some(({ text }) => new RegExp(`\\b${word}\\b`).test(text));
      const files = workflows.map((workflow) => workflow.file).join(', ');
      for (const { place, variable } of namedVariables(environment)) {
        if (!VARIABLE_NAME.test(variable) || mentions(variable)) continue;
        yield { location: at(environment, place, 'value'), message: `${files} does not pass ${variable} to its jobs`, hint: `add ${variable}: \${{ secrets.${variable} }} to the env: of the jobs that plan and deploy, and create that repository secret` };
      }
      const deploys = new RegExp(`--env[= ]${environment.name.replace(/[-]/g, '\\-')}(?![\\w-])`);
      const deployed = workflows.some(({ text }) => text.split('\n').some((line) => /\bdeploy\b/.test(line) && deploys.test(line) && !line.includes('--plan')));
      if (!deployed) {
        yield { location: at(environment, []), message: `${files} never deploys environment "${environment.name}" (no \`--env ${environment.name}\`)`, hint: 'add a deploy job for it in promotion order, or delete the environment file' };
      }
    },
  }),
];
