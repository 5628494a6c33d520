/**
 * The policy against tenant.yaml: the same connections on both sides, each upstream connection syncing
 * as the policy requires, and every allowed source possible for the connection's kind and sync setting.
 */
import { isSyncMode, possibleSources, syncSettingApplies, DEFAULT_SYNC_MODE, type SyncMode } from '../../actions/lib/connection-kinds';
import type { ConnectionPolicy } from '../../actions/lib/define-policy';
import { kindOf, isRecord, type TenantConnection } from '../lib/tenant-model';
import { POLICY_SCHEMA_RULE, policyProblems } from './policy-schema';
import { defineRule, type CheckContext, type Rule } from './types';

/** The policy entries with a schema problem, once per check run (every rule below asks). */
const invalidEntries = new WeakMap<CheckContext, Set<string>>();

/** Policy entries that passed the schema rule (the others get their finding there). */
function* policyConnections(context: CheckContext): Iterable<[string, ConnectionPolicy]> {
  const connections: unknown = context.policy.connections;
  if (!isRecord(connections)) return;
  let invalid = invalidEntries.get(context);
  if (!invalid) {
    invalid = new Set(policyProblems(context.policy).map((problem) => `${problem.at[0]}\u0000${problem.at[1]}`));
    invalidEntries.set(context, invalid);
  }
  for (const [name, settings] of Object.entries(connections)) {
    if (!isRecord(settings) || invalid.has(`connections\u0000${name}`)) continue;
    yield [name, settings as unknown as ConnectionPolicy];
  }
}

function tenantConnection(context: CheckContext, name: string): TenantConnection | undefined {
  return context.connections.find((connection) => connection.name === name);
}

/** Policy entries whose connection tenant.yaml defines, with that connection and its kind. */
function* pairs(context: CheckContext) {
  for (const [name, settings] of policyConnections(context)) {
    const connection = tenantConnection(context, name);
    if (connection) yield { name, settings, connection, kind: kindOf(connection, context.policy) };
  }
}

/** The sync setting sources are judged under: the policy's requirement, else what tenant.yaml says. */
function judgedSync(connection: TenantConnection, settings: ConnectionPolicy): SyncMode {
  if (settings.sync) return settings.sync;
  return isSyncMode(connection.syncValue) ? connection.syncValue : DEFAULT_SYNC_MODE;
}

export const POLICY_RULES: readonly Rule[] = [
  POLICY_SCHEMA_RULE,
  defineRule({
    id: 'policy-connection-unknown',
    severity: 'error',
    description: 'Every connection the policy names exists in tenant.yaml.',
    hint: 'add the connection to tenant.yaml, or remove it from the policy (check the spelling of both)',
    *check(context) {
      if (!context.tenantReadable) return;
      for (const [name] of policyConnections(context)) {
        if (tenantConnection(context, name)) continue;
        yield { location: context.policySource.locate(['connections', name], 'key'), message: `the policy names connection "${name}", which tenant.yaml does not define` };
      }
    },
  }),
  defineRule({
    id: 'connection-not-in-policy',
    severity: 'error',
    description: 'Every connection of tenant.yaml has an entry in the policy.',
    hint: 'add the connection to `connections` in actions/policy.ts with the sources it may use',
    *check(context) {
      const named = isRecord(context.policy.connections) ? context.policy.connections : {};
      for (const connection of context.connections) {
        if (Object.prototype.hasOwnProperty.call(named, connection.name)) continue;
        // Recorded but not enforced is a choice the policy made: a warning. Ignored or denied logins are errors.
        const recorded = context.policy.unmanagedConnections === 'record';
        yield {
          location: context.tenant.locate([...connection.path, 'name']),
          message: `connection "${connection.name}" has no entry in the policy (it is handled as "${context.policy.unmanagedConnections}"${recorded ? ': its sources are recorded, nothing is enforced' : ''})`,
          ...(recorded ? { severity: 'warning' as const, hint: `add "${connection.name}" to \`connections\` in actions/policy.ts to enforce its sources` } : {}),
        };
      }
    },
  }),
  defineRule({
    id: 'policy-sync-mismatch',
    severity: 'error',
    description: 'Each upstream connection\'s set_user_root_attributes in tenant.yaml is the one the policy requires.',
    hint: 'change set_user_root_attributes in tenant.yaml, or `sync` in the policy, so they agree',
    *check(context) {
      for (const { name, settings, connection, kind } of pairs(context)) {
        if (!settings.sync || !isSyncMode(connection.syncValue)) continue;
        if (!syncSettingApplies(kind) || connection.syncValue === settings.sync) continue;
        yield {
          location: context.tenant.locate([...connection.path, 'options', 'set_user_root_attributes']),
          message: `"${name}" syncs ${connection.syncValue} in tenant.yaml, but the policy requires ${settings.sync}`,
          hint: `set \`set_user_root_attributes: ${settings.sync}\`, or change \`sync\` of "${name}" in the policy`,
        };
      }
    },
  }),
  defineRule({
    id: 'policy-sync-missing',
    severity: 'error',
    description: 'The policy states the sync setting of every upstream connection.',
    hint: 'add `sync: \'on_first_login\'` (or the mode you mean) to this connection in the policy',
    *check(context) {
      for (const { name, settings, kind } of pairs(context)) {
        if (settings.sync || !syncSettingApplies(kind)) continue;
        yield { location: context.policySource.locate(['connections', name], 'key'), message: `the policy does not say how upstream connection "${name}" must sync` };
      }
    },
  }),
  defineRule({
    id: 'policy-sync-not-applicable',
    severity: 'error',
    description: 'The policy requires a sync setting only of upstream connections.',
    hint: 'remove `sync` from this connection in the policy',
    *check(context) {
      for (const { name, settings, kind } of pairs(context)) {
        if (!settings.sync || syncSettingApplies(kind) || kind === 'unknown') continue;
        yield { location: context.policySource.locate(['connections', name, 'sync'], 'key'), message: `sync does not apply to ${kind} connection "${name}"` };
      }
    },
  }),
  defineRule({
    id: 'policy-source-impossible',
    severity: 'error',
    description: 'Every source the policy allows can happen on that connection: signup only on database and passwordless, import only on databases with the Auth0 store or import mode, idp only upstream, and no management_api for synced attributes under on_each_login (Auth0 refuses those updates).',
    hint: 'remove the source, or change the connection\'s sync setting',
    *check(context) {
      for (const { name, settings, connection, kind } of pairs(context)) {
        if (kind === 'unknown') continue;
        const sync = syncSettingApplies(kind) ? judgedSync(connection, settings) : null;
        const possible = possibleSources(kind, sync);
        const lists: Array<[Array<string | number>, readonly string[]]> = [[['connections', name, 'sources'], settings.sources]];
        for (const [attribute, own] of Object.entries(settings.attributes ?? {})) {
          if (own?.sources) lists.push([['connections', name, 'attributes', attribute, 'sources'], own.sources]);
        }
        for (const [at, list] of lists) {
          for (const [index, source] of list.entries()) {
            if ((possible as readonly string[]).includes(source)) continue;
            yield {
              location: context.policySource.locate([...at, index]),
              message: `source ${source} is impossible on ${kind} connection "${name}"${sync ? ` syncing ${sync}` : ''}`,
              hint: source === 'management_api' && sync === 'on_each_login'
                ? 'Auth0 refuses Management API updates of synced attributes under on_each_login: remove management_api, or sync on_first_login'
                : `possible sources here: ${possible.join(', ')}`,
            };
          }
        }
      }
    },
  }),
  defineRule({
    id: 'policy-strategy-unused',
    severity: 'warning',
    description: 'Each strategy the policy classifies is used by a connection.',
    hint: 'remove the classification, or check the strategy\'s spelling against tenant.yaml',
    *check(context) {
      const strategies = context.policy.strategies;
      if (!isRecord(strategies)) return;
      for (const strategy of Object.keys(strategies)) {
        if (context.connections.some((connection) => connection.strategy === strategy)) continue;
        yield { location: context.policySource.locate(['strategies', strategy], 'key'), message: `the policy classifies strategy "${strategy}", which no connection in tenant.yaml uses` };
      }
    },
  }),
];
