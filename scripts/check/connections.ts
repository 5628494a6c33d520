/**
 * Connections in tenant.yaml: the right section, the sync setting (a value Auth0 accepts, explicit on
 * every upstream connection, absent where it means nothing), literal secrets, unclassified strategies.
 * a0deploy looks at none of this: it passes `options` through untouched.
 */
import { placeholderName } from '../lib/placeholders';
import { DEFAULT_SYNC_MODE, isSyncMode, SYNC_MODES, syncSettingApplies } from '../../actions/lib/connection-kinds';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { nearest } from '../lib/suggest';
import { isRecord, kindOf, type TenantConnection } from '../lib/tenant-model';
import { isPlaceholder, secretOptionPaths } from '../lib/secrets';
import { defineRule, type CheckContext, type Rule } from './types';

/** Connections whose section is right for their strategy; the others get one finding, from the section rules. */
function wellPlaced(connection: TenantConnection): boolean {
  if (connection.strategy === '') return false;
  return connection.section === 'databases' ? connection.strategy === 'auth0' : connection.strategy !== 'auth0';
}

function syncLocation(context: CheckContext, connection: TenantConnection) {
  return context.tenant.locate([...connection.path, 'options', 'set_user_root_attributes']);
}

/** Where a connection has set_user_root_attributes other than in its options (beside them, or one level too deep). */
function misplacedSync(context: CheckContext, connection: TenantConnection): Array<string | number> | undefined {
  const sections = context.data[connection.section];
  const item = Array.isArray(sections) ? (sections as unknown[])[connection.path[1] as number] : undefined;
  if (!isRecord(item)) return undefined;
  if ('set_user_root_attributes' in item) return [...connection.path, 'set_user_root_attributes'];
  for (const [key, value] of Object.entries(connection.options)) {
    if (isRecord(value) && 'set_user_root_attributes' in value) return [...connection.path, 'options', key, 'set_user_root_attributes'];
  }
  return undefined;
}

export const CONNECTION_RULES: readonly Rule[] = [
  defineRule({
    id: 'database-in-connections',
    severity: 'error',
    description: 'A `strategy: auth0` connection is listed under `databases:`. Under `connections:` a0deploy never finds it and creates it again on every run.',
    hint: 'move this connection from `connections:` to `databases:`',
    *check(context) {
      for (const connection of context.connections) {
        if (connection.section === 'connections' && connection.strategy === 'auth0') {
          yield { location: context.tenant.locate([...connection.path, 'strategy']), message: `database connection "${connection.name}" is under connections:, where a0deploy re-creates it on every run` };
        }
      }
    },
  }),
  defineRule({
    id: 'non-database-in-databases',
    severity: 'error',
    description: '`databases:` holds only `strategy: auth0` connections (a0deploy\'s schema allows no other).',
    hint: 'move this connection to `connections:`',
    *check(context) {
      for (const connection of context.connections) {
        if (connection.section === 'databases' && connection.strategy !== 'auth0' && connection.strategy !== '') {
          yield { location: context.tenant.locate([...connection.path, 'strategy']), message: `"${connection.name}" (strategy ${connection.strategy}) is under databases:, which a0deploy accepts only for strategy auth0` };
        }
      }
    },
  }),
  defineRule({
    id: 'strategy-unclassified',
    severity: 'error',
    description: 'Every strategy has a known kind, or the policy classifies it in `strategies`.',
    hint: 'add the strategy to `strategies` in actions/policy.ts, e.g. { \'my-strategy\': \'enterprise\' }',
    *check(context) {
      for (const connection of context.connections) {
        if (!wellPlaced(connection) || kindOf(connection, context.policy) !== 'unknown') continue;
        yield {
          location: context.tenant.locate([...connection.path, 'strategy']),
          message: `strategy "${connection.strategy}" of "${connection.name}" is not one Auth0 lists; the policy must say what kind of connection it is`,
        };
      }
    },
  }),
  defineRule({
    id: 'sync-invalid',
    severity: 'error',
    description: '`options.set_user_root_attributes` is one of on_each_login, on_first_login, never_on_login.',
    hint: `use one of ${SYNC_MODES.join(', ')}`,
    *check(context) {
      for (const connection of context.connections) {
        const value = connection.syncValue;
        if (value === undefined || isSyncMode(value)) continue;
        if (isPlaceholder(value)) {
          // Left unfilled. With an environment that is placeholder-missing's finding; without one, this one.
          if (context.environment) continue;
          yield {
            location: syncLocation(context, connection),
            message: `set_user_root_attributes of "${connection.name}" is the placeholder ${String(value)}, which only an environment fills`,
            hint: 'check it per environment with `npm run check -- --env NAME` (or --env all); the local tenant needs a literal value here',
          };
          continue;
        }
        const suggestion = typeof value === 'string' ? nearest(value, SYNC_MODES) : undefined;
        yield {
          location: syncLocation(context, connection),
          message: `set_user_root_attributes of "${connection.name}" is ${JSON.stringify(value)}, which Auth0 does not accept`,
          hint: suggestion ? `did you mean ${suggestion}? (one of ${SYNC_MODES.join(', ')})` : `use one of ${SYNC_MODES.join(', ')}`,
        };
      }
    },
  }),
  defineRule({
    id: 'sync-missing',
    severity: 'error',
    description: 'Every upstream connection the policy names states set_user_root_attributes (for one it does not name, a warning). Left out it means on_each_login, and a later deploy that omits it silently resets the connection (PATCH replaces options).',
    hint: 'add `set_user_root_attributes:` to its options with the value the policy requires',
    *check(context) {
      for (const connection of context.connections) {
        if (!wellPlaced(connection) || connection.syncValue !== undefined) continue;
        if (!syncSettingApplies(kindOf(connection, context.policy))) continue;
        const required = context.policy.connections[connection.name]?.sync;
        const misplaced = misplacedSync(context, connection);
        if (misplaced) {
          yield {
            location: context.tenant.locate(misplaced, 'key'),
            message: `set_user_root_attributes of "${connection.name}" is ${misplaced.length === connection.path.length + 1 ? 'beside its options, not in them' : `inside ${misplaced.slice(connection.path.length, -1).join('.')}`}, where Auth0 ignores it: the connection syncs ${DEFAULT_SYNC_MODE}`,
            hint: `move it under the connection's options: (options.set_user_root_attributes${required ? `: ${required}, what the policy requires` : ''})`,
          };
          continue;
        }
        // A connection the policy does not name is only recorded: nothing requires a setting of it, so its
        // unstated sync is worth knowing (a0deploy's exports and examples leave it out), not an error.
        const managed = context.policy.connections[connection.name] !== undefined;
        yield {
          location: context.tenant.locate([...connection.path, isPlainOptions(connection) ? 'options' : 'name'], 'key'),
          message: `upstream connection "${connection.name}" does not state set_user_root_attributes, so it syncs ${DEFAULT_SYNC_MODE}${managed ? '' : ' (the policy does not name it, so nothing requires a setting)'}`,
          hint: `add \`set_user_root_attributes: ${required ?? 'on_first_login'}\` to its options${required ? ' (what the policy requires)' : ''}`,
          ...(managed ? {} : { severity: 'warning' as const }),
        };
      }
    },
  }),
  defineRule({
    id: 'sync-not-applicable',
    severity: 'error',
    description: 'set_user_root_attributes only on upstream connections: Auth0 refuses it on passwordless connections, and it means nothing on a database without an external store.',
    hint: 'remove set_user_root_attributes from this connection',
    *check(context) {
      for (const connection of context.connections) {
        if (!wellPlaced(connection) || connection.syncValue === undefined) continue;
        const kind = kindOf(connection, context.policy);
        if (syncSettingApplies(kind) || kind === 'unknown') continue;
        yield { location: context.tenant.locate([...connection.path, 'options', 'set_user_root_attributes'], 'key'), message: `set_user_root_attributes does not apply to ${kind} connection "${connection.name}"` };
      }
    },
  }),
  defineRule({
    id: 'sync-never-on-login',
    severity: 'warning',
    description: 'never_on_login stops the connection from creating users at login; the policy must acknowledge it.',
    hint: 'if that is meant, set `acknowledgeNeverOnLogin: true` for this connection in actions/policy.ts',
    *check(context) {
      for (const connection of context.connections) {
        if (connection.syncValue !== 'never_on_login' || !wellPlaced(connection)) continue;
        if (!syncSettingApplies(kindOf(connection, context.policy))) continue;
        if (context.policy.connections[connection.name]?.acknowledgeNeverOnLogin === true) continue;
        yield { location: syncLocation(context, connection), message: `"${connection.name}" syncs never_on_login: it no longer creates users at login, and the IdP never sets their root attributes` };
      }
    },
  }),
  defineRule({
    id: 'email-template-missing',
    severity: 'error',
    description: 'A passwordless email connection names its email body template, a file in the `connections/` folder beside tenant.yaml (a0deploy aborts the whole import without it).',
    hint: 'set options.email.body to a file name such as ./passwordless-email.html and create that file in connections/',
    *check(context) {
      for (const connection of context.connections) {
        if (connection.strategy !== 'email' || connection.section !== 'connections' || !connection.optionsValid) continue;
        const email = connection.options.email;
        const body = isRecord(email) ? email.body : undefined;
        const file = typeof body === 'string' ? path.join(context.tenant.dir, 'connections', body) : undefined;
        if (file && existsSync(file) && statSync(file).isFile()) continue;
        yield {
          location: context.tenant.locate([...connection.path, 'options', ...(typeof body === 'string' ? ['email', 'body'] : [])]),
          message: typeof body === 'string'
            ? `the email template of "${connection.name}" does not exist: connections/${body.replace(/^\.\//, '')}`
            : `passwordless connection "${connection.name}" has no options.email.body template`,
        };
      }
    },
  }),
  defineRule({
    id: 'secret-literal',
    severity: 'error',
    description: 'Connection secrets are ##KEY## or @@KEY@@ placeholders filled from the environment at deploy time, never literal values.',
    hint: 'replace the value with a ##NAME## placeholder and set that variable where you deploy',
    *check(context) {
      for (const connection of context.connections) {
        for (const place of secretOptionPaths(connection.strategy, connection.options)) {
          const value = place.reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], connection.options);
          if (isPlaceholder(value)) continue;
          const key = place.join('.');
          yield {
            location: context.tenant.locate([...connection.path, 'options', ...place]),
            message: `options.${key} of "${connection.name}" holds a literal secret (its value is not printed)`,
            hint: `replace the value with a placeholder such as '##${placeholderName(`${connection.name}_${place.at(-1) ?? key}`)}##' and set that variable where you deploy`,
          };
        }
      }
    },
  }),
];

function isPlainOptions(connection: TenantConnection): boolean {
  return Object.keys(connection.options).length > 0;
}
