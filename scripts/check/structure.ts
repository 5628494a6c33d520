/** tenant.yaml as a document: syntax, top-level sections a0deploy accepts, required fields, duplicates. */
import { DEPLOY_CLI_SECTIONS } from '../lib/deploy-cli';
import { nearest } from '../lib/suggest';
import { isRecord } from '../lib/tenant-model';
import { defineRule, type CheckContext, type Rule } from './types';

/** Required fields per list section, as the issue and a0deploy's schemas name them. */
const REQUIRED: Record<'actions' | 'databases' | 'connections', readonly string[]> = {
  actions: ['name', 'code', 'supported_triggers'],
  // a0deploy gives a database without one `strategy: auth0`.
  databases: ['name'],
  connections: ['name', 'strategy'],
};

const FIELD_TYPES: Record<string, 'string' | 'list' | 'mapping' | 'boolean'> = {
  name: 'string',
  code: 'string',
  strategy: 'string',
  runtime: 'string',
  supported_triggers: 'list',
  dependencies: 'list',
  options: 'mapping',
  deployed: 'boolean',
};

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  if (isRecord(value)) return 'mapping';
  return typeof value;
}

function* listItems(context: CheckContext) {
  for (const section of ['actions', 'databases', 'connections'] as const) {
    const list = context.data[section];
    if (!Array.isArray(list)) continue;
    for (let index = 0; index < list.length; index++) yield { section, index, item: list[index] as unknown };
  }
}

export const STRUCTURE_RULES: readonly Rule[] = [
  defineRule({
    id: 'placeholder-unquoted',
    severity: 'warning',
    description: 'A placeholder where a value goes is quoted: unquoted, YAML reads `##KEY##` as a comment, and the value is empty wherever the placeholder is not given a value.',
    hint: 'quote it',
    *check({ tenant }) {
      for (const { name, location } of tenant.unquotedPlaceholders) {
        yield { location, message: `##${name}## is not quoted, so YAML reads it as a comment: the value is empty unless a0deploy replaces the placeholder first`, hint: `write it as '##${name}##'` };
      }
    },
  }),
  defineRule({
    id: 'yaml-syntax',
    severity: 'error',
    description: 'tenant.yaml is valid YAML.',
    hint: 'fix the YAML at this position (indentation, quotes, a missing colon)',
    *check({ tenant }) {
      // Errors after the first are mostly the parser losing its footing: report the first, count the rest.
      const [first, ...rest] = tenant.syntaxErrors;
      if (!first) return;
      const more = rest.length > 0 ? ` (and ${rest.length} more after it, likely caused by this one)` : '';
      yield { location: first.location, message: `YAML syntax error: ${first.message}${more}` };
    },
  }),
  defineRule({
    id: 'yaml-root',
    severity: 'error',
    description: 'tenant.yaml is a mapping of sections.',
    hint: 'start the file with sections such as `actions:`, `triggers:`, `databases:`, `connections:`',
    *check({ tenant }) {
      if (tenant.syntaxErrors.length === 0 && !isRecord(tenant.data)) {
        yield { location: tenant.locate([]), message: 'tenant.yaml does not hold a mapping of sections' };
      }
    },
  }),
  defineRule({
    id: 'unknown-section',
    severity: 'error',
    description: 'Every top-level key is a section a0deploy accepts (its schema rejects any other).',
    hint: 'remove the key or rename it to a section a0deploy knows',
    *check({ data, tenant }) {
      const known = DEPLOY_CLI_SECTIONS;
      for (const key of Object.keys(data)) {
        if (known.includes(key)) continue;
        const suggestion = nearest(key, known);
        yield {
          location: tenant.locate([key], 'key'),
          message: `a0deploy rejects the top-level key "${key}"`,
          hint: suggestion ? `did you mean "${suggestion}"?` : 'remove it; a0deploy accepts only its known sections',
        };
      }
    },
  }),
  defineRule({
    id: 'section-type',
    severity: 'error',
    description: '`actions`, `databases` and `connections` are lists; `triggers` is a mapping.',
    hint: 'write the section as a list of `- name: …` items (triggers: a mapping of trigger id to bindings)',
    *check({ data, tenant }) {
      for (const section of ['actions', 'databases', 'connections'] as const) {
        const value = data[section];
        if (value !== undefined && value !== null && !Array.isArray(value)) {
          yield { location: tenant.locate([section]), message: `"${section}" must be a list, not a ${typeOf(value)}` };
        }
      }
      const triggers = data.triggers;
      if (triggers !== undefined && triggers !== null && !isRecord(triggers)) {
        yield { location: tenant.locate(['triggers']), message: `"triggers" must be a mapping of trigger id to bindings, not a ${typeOf(triggers)}` };
      }
    },
  }),
  defineRule({
    id: 'missing-field',
    severity: 'error',
    description: 'Each item has its required fields (actions: name, code, supported_triggers; connections: name, strategy; databases: name).',
    hint: 'add the field',
    *check(context) {
      for (const { section, index, item } of listItems(context)) {
        if (!isRecord(item)) {
          yield { location: context.tenant.locate([section, index]), message: `${section} item ${index + 1} must be a mapping with ${REQUIRED[section].join(', ')}` };
          continue;
        }
        const missing = REQUIRED[section].filter((field) => item[field] === undefined || item[field] === null);
        if (missing.length === 0) continue;
        const label = typeof item.name === 'string' ? `"${item.name}"` : `item ${index + 1}`;
        yield {
          location: context.tenant.locate([section, index]),
          message: `${section} ${label} lacks ${missing.map((field) => `"${field}"`).join(' and ')}`,
          hint: `add ${missing.join(', ')}${section === 'databases' && missing.includes('strategy') ? ' (strategy: auth0)' : ''}`,
        };
      }
    },
  }),
  defineRule({
    id: 'field-type',
    severity: 'error',
    description: 'Known fields have the type a0deploy and Auth0 expect.',
    hint: 'correct the value\'s type',
    *check(context) {
      for (const { section, index, item } of listItems(context)) {
        if (!isRecord(item)) continue;
        for (const [field, expected] of Object.entries(FIELD_TYPES)) {
          const value = item[field];
          if (value === undefined || value === null || typeOf(value) === expected) continue;
          yield {
            location: context.tenant.locate([section, index, field]),
            message: `"${field}" must be a ${expected}, not a ${typeOf(value)}`,
          };
        }
      }
    },
  }),
  defineRule({
    id: 'duplicate-name',
    severity: 'error',
    description: 'Names are unique: across databases and connections (one namespace in Auth0), and among actions.',
    hint: 'rename or remove one of them; a0deploy would apply both to the same resource',
    *check(context) {
      const seen = new Map<string, string>();
      for (const { section, index, item } of listItems(context)) {
        if (!isRecord(item) || typeof item.name !== 'string') continue;
        const space = section === 'actions' ? 'actions' : 'connections';
        const key = `${space}\u0000${item.name}`;
        const first = seen.get(key);
        if (first) {
          yield { location: context.tenant.locate([section, index, 'name']), message: `"${item.name}" is already defined at ${first}` };
        } else {
          const at = context.tenant.locate([section, index, 'name']);
          seen.set(key, `line ${at.line}`);
        }
      }
    },
  }),
];

