/**
 * The local tenant: a stand-in Auth0 tenant on 127.0.0.1 over HTTPS, the project's embedded default
 * target. One component; one file per API area under api/, registered here.
 */
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { actionBuilder, actionRoutes, type ActionBuilder } from './api/actions';
import { clientRoutes } from './api/clients';
import { resourceServerRoutes } from './api/resource-servers';
import { jobRoutes } from './api/jobs';
import { connectionRoutes } from './api/connections';
import { passwordlessRoutes } from './api/passwordless';
import { signupRoutes } from './api/signup';
import { userRoutes } from './api/users';
import { logRoutes, recordLog } from './logs';
import { roleRoutes } from './api/roles';
import { userBlockRoutes } from './brute-force';
import { throttleRoutes } from './throttle';
import { storedRoutes } from './api/stored';
import { ensureTlsMaterial } from './certificates';
import { compileRoutes, dispatch, errorBody, readBody, send, sendError, type OnManagementCall, type Route } from './http';
import { carriesJwt, jwtUserinfo } from './oidc/userinfo';
import { createOidc, servesOidc, type Oidc } from './oidc/provider';
import { loginPath, pageRoutes } from './pages/routes';
import { asTokenRequest, isTokenRequest } from './oidc/token-endpoint';
import { ActionsRuntime } from '@auth0-root-attributes/actions-runtime';
import type { LoginContext } from './login';
import { announcePort } from './database';
import { openState, type StateStore } from './state';
import type { TenantReady } from './process';
import { RateLimit, rateLimitFrom, tooManyRequests } from './rate-limit';
import { MANAGEMENT_API_PATH } from './scopes';

const MANAGEMENT_API_ROOT = `/${MANAGEMENT_API_PATH}`;
import { verifyManagementToken } from './tokens';

/**
 * How long a connection may take at each stage before it is closed, so that idle or slow connections (any
 * process on the machine can open them) never pile up: the TLS handshake (Node's default is two minutes),
 * the request's headers, the whole request, and an idle keep-alive connection (and FIRST_REQUEST_MS below).
 * Node checks the header and request limits every `connectionsCheckingInterval`.
 */
export const CONNECTION_LIMITS = {
  handshakeTimeout: 5_000,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
} as const;
/**
 * A connection that completed TLS must start a request within this long. Node's header and request limits
 * only count once a request has begun, and its idle timeout (`server.setTimeout`) is cleared when TLS
 * completes: without this, a connection that never sends a byte after the handshake stays open for ever.
 */
export const FIRST_REQUEST_MS = 10_000;

export interface LocalTenantOptions {
  /** Where state and TLS material live (created when missing; one process owns it at a time). */
  stateDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Called after each request with its method, path, status and duration (never bodies). */
  onRequest?: (line: string) => void;
  /** Time limit of one Actions flow (20 s by default, Auth0's); ACTIONS_TIMEOUT_MS sets it too. */
  actionsTimeoutMs?: number;
  /** Told about every Actions flow that ran (signup or login), with its logs and outcome. */
  onFlow?: LoginContext['observe'];
  /**
   * Where actions' npm dependencies are installed: ACTIONS_DEPENDENCY_CACHE, else `dependencies` in the state
   * folder. Tenants may share one (each name@version is installed once).
   */
  dependencyCache?: string;
  /** Management API requests a second before it answers 429 (rate-limit.ts): LOCAL_TENANT_RATE_LIMIT, else 1000. */
  rateLimit?: number;
}

/** Where the tenant listens and how to reach it (process.ts's handle has the same), with its state store. */
export interface LocalTenant extends TenantReady {
  store: StateStore;
  close(): Promise<void>;
}

type Area = 'signup' | 'passwordless' | 'pages' | 'actions' | 'clients' | 'resourceServers' | 'connections' | 'users' | 'jobs' | 'logs' | 'roles' | 'userBlocks' | 'attackProtection' | 'stored';

/** Every API area of the local tenant, by name: one left out fails to compile. */
function routes(context: LoginContext, oidc: () => Promise<Oidc>, build: ActionBuilder): Record<Area, Route[]> {
  const { store, domain } = context;
  return {
    signup: signupRoutes(context),
    passwordless: passwordlessRoutes(context),
    pages: pageRoutes(context, oidc),
    actions: actionRoutes(store, build),
    clients: clientRoutes(store, domain),
    resourceServers: resourceServerRoutes(store, domain),
    connections: connectionRoutes(store),
    users: userRoutes(store),
    jobs: jobRoutes(store, domain),
    logs: logRoutes(store),
    roles: roleRoutes(store),
    userBlocks: userBlockRoutes(store),
    attackProtection: throttleRoutes(store),
    stored: storedRoutes(store.stored),
  };
}

/**
 * Every route that needs a Management API token, with the scopes it accepts: what the authorization
 * tests walk through (the handlers are built but never called).
 */
export function protectedRoutes(): Array<{ method: string; path: string; scopes: readonly string[] }> {
  const unused = { file: '', state: { actions: [] }, save: () => undefined, users: {}, oidc: { set: () => undefined }, close: () => undefined } as unknown as StateStore;
  const context = { store: unused, runtime: undefined as unknown as ActionsRuntime, domain: () => '' };
  const all = Object.values(routes(context, () => Promise.reject(new Error('unused')), () => undefined)).flat();
  return all.flatMap((route) => (route.public ? [] : [{ method: route.method, path: route.path, scopes: route.scopes }]));
}

export async function startLocalTenant(options: LocalTenantOptions): Promise<LocalTenant> {
  const stateDir = path.resolve(options.stateDir);
  const tls = ensureTlsMaterial(stateDir);
  const store = openState(stateDir, { serving: true });
  let domain = '';
  const timeout = options.actionsTimeoutMs ?? (process.env.ACTIONS_TIMEOUT_MS ? Number(process.env.ACTIONS_TIMEOUT_MS) : undefined);
  const dependencyCache = path.resolve(options.dependencyCache ?? process.env.ACTIONS_DEPENDENCY_CACHE ?? path.join(stateDir, 'dependencies'));
  // Actions trust the tenant's CA, so the SDKs they bring reach the tenant over HTTPS as they would reach Auth0.
  const runtime = new ActionsRuntime({ timeoutMs: timeout, dependencyCache, caPath: tls.caPath });
  const context: LoginContext = { store, runtime, domain: () => domain, observe: options.onFlow };
  // The login side (oidc-provider) loads at its first request: commands that only deploy or audit never pay for it.
  let oidcLoading: Promise<Oidc> | undefined;
  const oidc = () =>
    (oidcLoading ??= createOidc(context, `https://${domain}/`, loginPath).catch((error: unknown) => {
      oidcLoading = undefined;
      throw error;
    }));
  const compiled = compileRoutes(Object.values(routes(context, oidc, actionBuilder(store, dependencyCache))).flat());
  const authorize = (header: string | undefined) => verifyManagementToken(store.state, header, { issuer: `https://${domain}/`, audience: `https://${domain}/${MANAGEMENT_API_PATH}` });
  const onError = (error: unknown) => console.error('local tenant: internal error', error);
  const rateLimit = new RateLimit(rateLimitFrom(options.rateLimit));
  // Management API writes are logged as Auth0 logs them (sapi / fapi), with the calling client.
  const onCall: OnManagementCall = ({ method, route, status, subject, headers }) => {
    if (method === 'GET') return;
    const clientId = subject?.replace(/@clients$/, '');
    const client = store.state.clients.find((candidate) => candidate.client_id === clientId);
    recordLog(store, status < 400 ? 'sapi' : 'fapi', { client: client ?? (clientId ? { client_id: clientId, name: '' } : undefined), headers, details: { request: { method: method.toLowerCase(), path: route }, response: { statusCode: status } } }, `${method} ${route}`);
  };
  // Each request one unit of work: what it changes is written once, as its answer starts. Only a Management API
  // write changes the configuration; the others write what logins change.
  const writesConfiguration = (request: IncomingMessage) => request.method !== 'GET' && request.method !== 'HEAD' && (request.url ?? '').startsWith(MANAGEMENT_API_ROOT);
  const server = createServer({ cert: tls.cert, key: tls.key, ...CONNECTION_LIMITS }, (request, response) => store.unitOfWork(response, { configuration: writesConfiguration(request) }, () => {
    const started = Date.now();
    if (options.onRequest) {
      response.once('finish', () => options.onRequest?.(`${request.method ?? ''} ${(request.url ?? '').split('?')[0] ?? ''} ${response.statusCode} ${Date.now() - started}ms`));
    }
    const method = (request.method ?? 'GET').toUpperCase();
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    // Every grant is oidc-provider's to decide (oidc/grants.ts), whatever the body's format; the local
    // upstream login is a token request of its own grant.
    if (method === 'POST' && isTokenRequest(pathname)) {
      readBody(request)
        .then(async (body) => (await oidc()).handle(asTokenRequest(request, pathname, body), response))
        .catch((error: unknown) => sendError(response, error, onError));
      return;
    }
    if (!servesOidc(pathname)) {
      if (pathname.startsWith(MANAGEMENT_API_ROOT)) {
        const verdict = rateLimit.take();
        for (const [name, value] of Object.entries(verdict.headers)) response.setHeader(name, value);
        if (!verdict.allowed) {
          request.resume();
          sendError(response, tooManyRequests(), onError);
          return;
        }
      }
      void dispatch(compiled, authorize, request, response, onError, undefined, onCall);
      return;
    }
    if (pathname === '/userinfo' && carriesJwt(request.headers.authorization)) {
      request.resume();
      jwtUserinfo(context, request.headers.authorization ?? '').then((reply) => send(response, reply), (error: unknown) => sendError(response, error, onError));
      return;
    }
    oidc().then((provider) => provider.handle(request, response), (error: unknown) => sendError(response, error, onError));
  }));
  // Every socket, so that closing the tenant ends those that never became HTTP connections too.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const served = new WeakSet<object>();
  server.on('request', (request) => served.add(request.socket));
  server.on('secureConnection', (socket) => {
    const timer = setTimeout(() => {
      if (!served.has(socket)) socket.destroy();
    }, FIRST_REQUEST_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
  // A connection whose TLS never got going (the handshake timed out, a client that speaks no TLS) has nothing
  // to answer in HTTP: it is closed. Node's default hands it to 'clientError', whose answer would wait forever
  // for a handshake.
  server.removeAllListeners('tlsClientError');
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  // What Node's HTTP parser refuses (a malformed request, headers too large) is answered in JSON too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify(errorBody(status, status === 431 ? 'Request headers are too large' : 'The request could not be parsed', status === 431 ? 'headers_too_large' : 'bad_request'));
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  domain = `127.0.0.1:${port}`;
  announcePort(options.stateDir, port);
  const management = store.state.clients.find((client) => client.client_id === store.state.managementClientId);
  if (!management) throw new Error('the local tenant state has no management client');
  return {
    domain,
    port,
    clientId: management.client_id,
    clientSecret: management.client_secret,
    caPath: tls.caPath,
    ca: tls.ca,
    stateDir,
    store,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      await runtime.close();
      store.close();
    },
  };
}
