/**
 * The tenant's log events, as Auth0 keeps them and `GET /api/v2/logs` returns them: logins (`s`, `f` with
 * the deny reason or failure as description, `fp` wrong password), refresh-token exchanges (`sertft`,
 * `fertft`), signups (`ss`, `fs`), Management API writes (`sapi`, `fapi`). Events carry ids and names —
 * who, which client and connection — never an attribute value, a password or a token. The newest
 * MAX_LOGS are kept.
 * https://auth0.com/docs/deploy-monitor/logs/log-event-type-codes ; https://auth0.com/docs/logs/query-syntax
 */
import { randomBytes } from 'node:crypto';
import { badRequest, notFound, type Route } from './http';
import { matches, parseQuery, type SearchFields } from './lucene';
import type { StateStore, StoredClient, StoredConnection, StoredUser } from './state';
import { page } from './api/validate';

export const MAX_LOGS = 5_000;

export type LogType = 's' | 'f' | 'fp' | 'sertft' | 'fertft' | 'ss' | 'fs' | 'sapi' | 'fapi' | 'limit_wc' | 'limit_mu';

export interface StoredLog {
  log_id: string;
  date: string;
  type: LogType;
  description: string;
  client_id?: string;
  client_name?: string;
  connection?: string;
  connection_id?: string;
  strategy?: string;
  strategy_type?: string;
  ip?: string;
  user_agent?: string;
  user_id?: string;
  hostname?: string;
  details?: Record<string, unknown>;
}

const DESCRIPTIONS: Record<LogType, string> = {
  s: 'Success Login',
  f: 'Failed Login',
  fp: 'Wrong email or password.',
  sertft: 'Successful exchange of Refresh Token for Access Token',
  fertft: 'Failed exchange of Refresh Token for Access Token',
  ss: 'Success Signup',
  fs: 'Failed Signup',
  sapi: 'Success API Operation',
  fapi: 'Failed API Operation',
  limit_wc: 'Blocked Account',
  limit_mu: 'Blocked IP Address',
};

export interface LogContext {
  client?: Pick<StoredClient, 'client_id' | 'name'>;
  connection?: Pick<StoredConnection, 'id' | 'name' | 'strategy'>;
  user?: Pick<StoredUser, 'user_id'>;
  headers?: Record<string, string | string[] | undefined>;
  details?: Record<string, unknown>;
}

function strategyType(strategy: string): string {
  if (strategy === 'auth0') return 'database';
  if (strategy === 'email' || strategy === 'sms') return 'passwordless';
  return ['oidc', 'samlp', 'waad', 'adfs', 'ad', 'okta', 'pingfederate'].includes(strategy) ? 'enterprise' : 'social';
}

/** Appends a log event (its description is the type's unless given: a deny reason, a failure). */
export function recordLog(store: StateStore, type: LogType, context: LogContext = {}, description = DESCRIPTIONS[type]): void {
  const now = new Date();
  const agent = context.headers?.['user-agent'];
  const host = context.headers?.host;
  const log: StoredLog = {
    // Auth0's log ids sort by time: a time prefix, then randomness.
    log_id: `90020${now.getTime().toString().padStart(15, '0')}${randomBytes(8).toString('hex')}`,
    date: now.toISOString(),
    type,
    description: description.slice(0, 500),
    ...(context.client ? { client_id: context.client.client_id, client_name: context.client.name } : {}),
    ...(context.connection ? { connection: context.connection.name, connection_id: context.connection.id, strategy: context.connection.strategy, strategy_type: strategyType(context.connection.strategy) } : {}),
    ...(context.user ? { user_id: context.user.user_id } : {}),
    ...(context.headers ? { ip: '127.0.0.1' } : {}),
    ...(typeof agent === 'string' ? { user_agent: agent.slice(0, 256) } : {}),
    ...(typeof host === 'string' ? { hostname: host.split(':')[0] } : {}),
    ...(context.details ? { details: context.details } : {}),
  };
  store.logs.append(log);
  store.save();
}

const LOG_FIELDS: SearchFields = {
  searchable: (field) => ['type', 'date', 'description', 'client_id', 'client_name', 'connection', 'connection_id', 'strategy', 'strategy_type', 'ip', 'user_id', 'user_agent', 'hostname', 'log_id'].includes(field),
  // Log fields are case sensitive (Auth0's log search).
  folded: () => false,
  defaults: ['description', 'client_name', 'connection', 'user_id', 'type'],
  valuesAt: (record, field) => {
    const value = (record as Record<string, unknown>)[field];
    if (field === 'date' && typeof value === 'string') return [value, value.slice(0, 10)];
    return value === undefined ? [] : [value];
  },
};

export function logRoutes(store: StateStore): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v2/logs', scopes: ['read:logs'],
      handler: ({ query }) => {
        const { page: pageNumber, perPage } = page(query, 50, 100);
        // `q`, as Auth0 documents it; `search`, as the auth0 SDK (v5+) sends it.
        const q = query.get('q') ?? query.get('search');
        const parsed = q === null || q.trim() === '' ? undefined : parseQuery(LOG_FIELDS, q);
        let logs = store.logs.all().filter((log) => !parsed || matches(LOG_FIELDS, parsed, log));
        // Checkpoint paging: events after `from` (a log_id), oldest first, `take` of them.
        const from = query.get('from');
        if (from !== null) {
          const take = Number(query.get('take') ?? '50');
          if (!Number.isInteger(take) || take < 1 || take > 100) throw badRequest('Query validation error: take must be an integer from 1 to 100', 'invalid_query_string');
          return { status: 200, body: logs.filter((log) => log.log_id > from).slice(0, take) };
        }
        const sort = query.get('sort') ?? 'date:-1';
        if (!/^date:(1|-1)$/.test(sort)) throw badRequest('Query validation error: sort must be date:1 or date:-1', 'invalid_query_string');
        if (sort === 'date:-1') logs = [...logs].reverse();
        const slice = logs.slice(pageNumber * perPage, (pageNumber + 1) * perPage);
        if (query.get('include_totals') === 'true') return { status: 200, body: { logs: slice, start: pageNumber * perPage, limit: perPage, length: slice.length, total: logs.length } };
        return { status: 200, body: slice };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/logs/:id', scopes: ['read:logs'],
      handler: ({ params }) => {
        const log = store.logs.get(params.id ?? '');
        if (!log) throw notFound('The log does not exist.', 'inexistent_log');
        return { status: 200, body: log };
      },
    },
  ];
}
