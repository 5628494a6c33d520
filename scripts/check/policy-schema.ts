/**
 * The policy's own values, checked at run time: TypeScript catches most mistakes in actions/policy.ts,
 * but not a cast, a JavaScript policy, or a value out of Auth0's range.
 */
import { isRecordedSource, isRootAttribute, RECORDED_SOURCES, ROOT_ATTRIBUTES } from '../../actions/lib/attributes';
import { CONNECTION_KINDS, isConnectionKind, isSyncMode, SYNC_MODES } from '../../actions/lib/connection-kinds';
import { AUTH0_LENGTH_LIMITS, PICTURE_RULE_IDS, TEXT_RULE_IDS } from '../../actions/lib/value-rules';
import type { YamlPath } from '../lib/tenant-yaml';
import { isRecord } from '../lib/tenant-model';
import { nearest } from '../lib/suggest';
import { defineRule, type Issue, type Rule } from './types';

const ENFORCEMENTS = ['deny', 'flag', 'off'];
const CATEGORIES = ['required', 'values', 'sources'];
const UNMANAGED = ['ignore', 'record', 'deny'];
const HOST = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

interface Problem {
  at: YamlPath;
  message: string;
  hint?: string;
}

function oneOf(at: YamlPath, value: unknown, allowed: readonly string[], what: string): Problem[] {
  if (typeof value === 'string' && allowed.includes(value)) return [];
  const suggestion = typeof value === 'string' ? nearest(value, allowed) : undefined;
  return [{ at, message: `${JSON.stringify(value)} is not ${what}`, hint: suggestion ? `did you mean "${suggestion}"?` : `use one of ${allowed.join(', ')}` }];
}

function enforcement(at: YamlPath, value: unknown, partial: boolean): Problem[] {
  if (!isRecord(value)) return [{ at, message: 'enforcement must be a mapping with signup and login' }];
  const problems: Problem[] = [];
  for (const key of Object.keys(value)) {
    if (key !== 'signup' && key !== 'login') problems.push({ at: [...at, key], message: `unknown trigger "${key}" in enforcement`, hint: 'use signup or login' });
  }
  for (const trigger of ['signup', 'login']) {
    const modes = value[trigger];
    if (modes === undefined && partial) continue;
    if (!isRecord(modes)) {
      problems.push({ at: [...at, trigger], message: `enforcement.${trigger} must be a mapping of required, values and sources` });
      continue;
    }
    for (const category of partial ? Object.keys(modes) : CATEGORIES) {
      if (!CATEGORIES.includes(category)) problems.push({ at: [...at, trigger, category], message: `unknown violation kind "${category}"`, hint: 'use required, values or sources' });
      else problems.push(...oneOf([...at, trigger, category], modes[category], ENFORCEMENTS, 'an enforcement (deny, flag, off)'));
    }
  }
  return problems;
}

function sources(at: YamlPath, value: unknown): Problem[] {
  if (!Array.isArray(value)) return [{ at, message: 'sources must be a list', hint: `use some of ${RECORDED_SOURCES.join(', ')}` }];
  return value.flatMap((source, index) => (isRecordedSource(source) ? [] : oneOf([...at, index], source, RECORDED_SOURCES, 'a source')));
}

function valueRules(values: unknown): Problem[] {
  if (!isRecord(values)) return [{ at: ['values'], message: 'values must be a mapping of attribute to rules' }];
  const problems: Problem[] = [];
  for (const [attribute, rules] of Object.entries(values)) {
    const at: YamlPath = ['values', attribute];
    if (!isRootAttribute(attribute)) {
      problems.push(...oneOf(at, attribute, ROOT_ATTRIBUTES, 'a tracked root attribute'));
      continue;
    }
    if (!isRecord(rules)) {
      problems.push({ at, message: `rules of ${attribute} must be a mapping` });
      continue;
    }
    const ids: readonly string[] = attribute === 'picture' ? PICTURE_RULE_IDS : TEXT_RULE_IDS;
    const disabled = rules.disable;
    if (disabled !== undefined) {
      if (!Array.isArray(disabled)) problems.push({ at: [...at, 'disable'], message: 'disable must be a list of rule ids' });
      else disabled.forEach((id, index) => problems.push(...oneOf([...at, 'disable', index], id, ids, `a rule of ${attribute}`)));
    }
    if (attribute === 'picture') {
      const hosts = rules.allowedHosts;
      if (!Array.isArray(hosts)) problems.push({ at: [...at, 'allowedHosts'], message: 'allowedHosts must be a list of host names' });
      else {
        hosts.forEach((host, index) => {
          if (typeof host !== 'string' || !HOST.test(host)) {
            problems.push({ at: [...at, 'allowedHosts', index], message: `${JSON.stringify(host)} is not a host name or a *. wildcard`, hint: 'write the host alone, e.g. cdn.example.com or *.example.com, with no scheme or path' });
          }
        });
      }
    } else if (rules.length !== undefined) {
      const limit = AUTH0_LENGTH_LIMITS[attribute];
      const length = rules.length;
      const ok = isRecord(length) && Number.isInteger(length.min) && Number.isInteger(length.max) && (length.min as number) >= limit.min && (length.max as number) <= limit.max && (length.min as number) <= (length.max as number);
      if (!ok) problems.push({ at: [...at, 'length'], message: `length of ${attribute} must be { min, max } within Auth0's ${limit.min}–${limit.max}`, hint: `Auth0 stores ${attribute} of ${limit.min} to ${limit.max} characters only` });
    }
  }
  return problems;
}

function connectionProblems(name: string, settings: unknown): Problem[] {
  const at: YamlPath = ['connections', name];
  if (!isRecord(settings)) return [{ at, message: `the policy of "${name}" must be a mapping` }];
  const problems: Problem[] = [...sources([...at, 'sources'], settings.sources)];
  if (settings.sync !== undefined && !isSyncMode(settings.sync)) problems.push(...oneOf([...at, 'sync'], settings.sync, SYNC_MODES, 'a sync mode'));
  if (settings.required !== undefined) {
    if (!Array.isArray(settings.required)) problems.push({ at: [...at, 'required'], message: 'required must be a list of attributes' });
    else settings.required.forEach((a, i) => problems.push(...oneOf([...at, 'required', i], a, ROOT_ATTRIBUTES, 'a tracked root attribute')));
  }
  if (settings.enforce !== undefined) problems.push(...enforcement([...at, 'enforce'], settings.enforce, true));
  if (settings.attributes !== undefined) {
    if (!isRecord(settings.attributes)) problems.push({ at: [...at, 'attributes'], message: 'attributes must be a mapping' });
    else {
      for (const [attribute, own] of Object.entries(settings.attributes)) {
        const ownAt: YamlPath = [...at, 'attributes', attribute];
        if (!isRootAttribute(attribute)) problems.push(...oneOf(ownAt, attribute, ROOT_ATTRIBUTES, 'a tracked root attribute'));
        else if (!isRecord(own)) problems.push({ at: ownAt, message: `settings of ${attribute} must be a mapping` });
        else {
          if (own.sources !== undefined) problems.push(...sources([...ownAt, 'sources'], own.sources));
          if (own.enforce !== undefined) problems.push(...enforcement([...ownAt, 'enforce'], own.enforce, true));
        }
      }
    }
  }
  return problems;
}

/** Every problem of the policy's values, each with the path of the value in the policy object. */
export function policyProblems(policy: unknown): Problem[] {
  if (!isRecord(policy)) return [{ at: [], message: 'the policy module must export a policy object' }];
  const problems: Problem[] = [];
  if (typeof policy.namespace !== 'string' || !/^https?:\/\/\S+\/$|^[a-z][a-z0-9_-]*\/$/i.test(policy.namespace)) {
    problems.push({ at: ['namespace'], message: 'namespace must be a URL ending in "/" such as https://example.com/', hint: 'custom claims need a namespace that cannot collide with OIDC claims' });
  }
  if (typeof policy.metadataKey !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(policy.metadataKey)) {
    problems.push({ at: ['metadataKey'], message: 'metadataKey must be 1–64 letters, digits, "_" or "-"', hint: 'Auth0 refuses metadata keys containing "." or "$"' });
  }
  problems.push(...valueRules(policy.values));
  problems.push(...enforcement(['enforce'], policy.enforce, false));
  problems.push(...oneOf(['unmanagedConnections'], policy.unmanagedConnections, UNMANAGED, 'a handling of unmanaged connections'));
  if (policy.strategies !== undefined) {
    if (!isRecord(policy.strategies)) problems.push({ at: ['strategies'], message: 'strategies must map strategy names to connection kinds' });
    else {
      for (const [strategy, kind] of Object.entries(policy.strategies)) {
        if (!isConnectionKind(kind) || kind === 'unknown') problems.push(...oneOf(['strategies', strategy], kind, CONNECTION_KINDS.filter((k) => k !== 'unknown'), 'a connection kind'));
      }
    }
  }
  if (policy.adoptedAt !== undefined && (typeof policy.adoptedAt !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(policy.adoptedAt) || !Number.isFinite(Date.parse(policy.adoptedAt)))) {
    problems.push({ at: ['adoptedAt'], message: 'adoptedAt must be an ISO time such as 2026-12-07T00:00:00.000Z', hint: 'npm run adopt writes it; users created before it are never taken for new signups' });
  }
  if (!isRecord(policy.connections)) problems.push({ at: ['connections'], message: 'connections must map connection names to their policy' });
  else for (const [name, settings] of Object.entries(policy.connections)) problems.push(...connectionProblems(name, settings));
  return problems;
}

/** Whether the value at `at` comes from the changes (a list in them replaces the policy's whole list). */
function changedBy(changes: Record<string, unknown>, at: YamlPath): boolean {
  if (at.length === 0) return false;
  let node: unknown = changes;
  for (const segment of at) {
    if (Array.isArray(node)) return true;
    if (!isRecord(node) || !Object.prototype.hasOwnProperty.call(node, segment)) return false;
    node = node[segment];
  }
  return true;
}

export const POLICY_SCHEMA_RULE: Rule = defineRule({
  id: 'policy-invalid',
  severity: 'error',
  description: 'Every value in the policy is one the Actions understand and Auth0 accepts.',
  hint: 'correct the value in the policy',
  *check({ policy, policySource, environment }): Iterable<Issue> {
    for (const problem of policyProblems(policy)) {
      // A value an environment's `policy:` put there is reported in the environment's file.
      const location = environment?.policy && changedBy(environment.policy, problem.at)
        ? environment.file.locate(['policy', ...problem.at], 'value')
        : policySource.locate(problem.at);
      yield { location, message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) };
    }
  },
});
