/**
 * The local tenant's HTTP layer: a route table, JSON bodies with a size limit, and errors shaped as
 * Auth0 shapes them. Every failure the client causes is a 4xx JSON answer; nothing a request sends can
 * make it hang or answer 5xx (a0deploy retries 5xx and 429 for minutes).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasAnyScope, insufficientScopeMessage } from './scopes';

export const MAX_BODY_BYTES = 1_000_000;

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** The parsed body: JSON for application/json, an object of fields for form bodies, else undefined. */
  body: unknown;
  /** The body as received, for routes that ask for it (multipart uploads). */
  rawBody?: Buffer;
  /** The client's IP address (the connection's peer). */
  ip: string;
  /** The scopes of the caller's Management API token (protected routes only). */
  scopes?: ReadonlySet<string>;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Bytes to send as they are (a download), instead of a JSON body. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export type Handler = (request: Request) => Reply | Promise<Reply>;

interface RouteBase {
  method: string;
  /** Path with `:name` segments, e.g. `/api/v2/actions/actions/:id/deploy`. */
  path: string;
  handler: Handler;
  /** The handler parses the body itself (`rawBody`): multipart uploads. */
  rawBody?: boolean;
}

/**
 * A route is either public (the token endpoint, discovery, the login side) or needs a Management API
 * token carrying one of `scopes` (Auth0's "any of"): a route cannot leave its authorization out.
 */
export type Route = RouteBase & ({ public: true; scopes?: never } | { public?: false; scopes: readonly string[] });

/** Who called a protected route: the scopes of its verified token, or undefined without a valid token. */
export type Authorize = (header: string | undefined) => Promise<{ scopes: ReadonlySet<string>; subject?: string } | undefined>;

/** Told about each Management API request that reached its handler (Auth0 logs writes as sapi/fapi). */
export type OnManagementCall = (call: { method: string; route: string; status: number; subject: string | undefined; headers: IncomingMessage['headers'] }) => void;

/** An error answered as Auth0 answers it: `{ statusCode, error, message, errorCode }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export function errorBody(status: number, message: string, errorCode?: string) {
  return { statusCode: status, error: REASONS[status] ?? 'Error', message, ...(errorCode ? { errorCode } : {}) };
}

export const badRequest = (message: string, errorCode = 'invalid_body') => new HttpError(400, message, errorCode);
export const notFound = (message: string, errorCode = 'inexistent_resource') => new HttpError(404, message, errorCode);
export const conflict = (message: string, errorCode: string) => new HttpError(409, message, errorCode);

type CompiledRoute = Route & {
  pattern: RegExp;
  names: string[];
};

export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/:([a-z_]+)/gi, (_match, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { ...route, pattern: new RegExp(`^${source}/?$`), names };
  });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('Malformed percent-encoding in the path', 'invalid_uri');
  }
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`, 'payload_too_large'));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  const text = raw.toString('utf8');
  if (type === 'application/json' || type?.endsWith('+json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw badRequest('Invalid request payload JSON format', 'invalid_json');
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  throw new HttpError(415, `Unsupported content type ${JSON.stringify(type ?? '')}: send application/json`, 'unsupported_media_type');
}

/** Answers an HttpError (or anything else, as a 500 told to `onError`) in the Management API's JSON shape. */
export function sendError(response: ServerResponse, error: unknown, onError: (error: unknown) => void): void {
  if (error instanceof HttpError) {
    send(response, { status: error.status, body: errorBody(error.status, error.message, error.errorCode) });
    return;
  }
  onError(error);
  send(response, { status: 500, body: errorBody(500, 'An internal error occurred in the local tenant', 'internal_error') });
}

/**
 * What every answer carries: nothing is sniffed into another type, and nothing is stored by a cache (pages
 * carry codes and forms, API answers carry secrets).
 */
export const BASE_HEADERS: Readonly<Record<string, string>> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/**
 * What a hosted page carries besides: no other site may frame it (a login page framed by any page on the
 * machine could be completed by clicks the user never meant), and its address — which holds the login's
 * state — is never sent on as a Referer.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = { 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'", 'referrer-policy': 'no-referrer' };

export function send(response: ServerResponse, reply: Reply): void {
  const html = /^text\/html\b/.test(reply.headers?.['content-type'] ?? '');
  const headers: Record<string, string> = { ...BASE_HEADERS, ...(html ? PAGE_HEADERS : {}), ...reply.headers };
  if (reply.raw !== undefined) {
    response.writeHead(reply.status, { 'content-length': String(reply.raw.length), ...headers });
    response.end(reply.raw);
    return;
  }
  if (reply.body === undefined) {
    response.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

/**
 * Dispatches one request: finds the route (404 JSON when none), checks the bearer token unless the
 * route is public, reads the body, and turns every HttpError into its JSON answer.
 */
export async function dispatch(
  routes: readonly CompiledRoute[],
  authorize: Authorize,
  incoming: IncomingMessage,
  response: ServerResponse,
  onError: (error: unknown) => void,
  /** The body, when the server read it already (to choose who answers the request). */
  preread?: Buffer,
  onCall?: OnManagementCall,
): Promise<void> {
  let called: { route: string; subject: string | undefined } | undefined;
  try {
    const url = new URL(incoming.url ?? '/', 'https://local');
    const method = (incoming.method ?? 'GET').toUpperCase();
    let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const route of routes) {
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeSegment(match[i + 1] ?? '')]));
      matched = { route, params };
      break;
    }
    if (!matched) {
      incoming.resume();
      throw pathMatched ? new HttpError(405, `${method} is not supported on ${url.pathname}`, 'method_not_allowed') : notFound(`Not found: ${method} ${url.pathname} is not implemented by the local tenant`, 'not_implemented');
    }
    let scopes: ReadonlySet<string> | undefined;
    if (!matched.route.public) {
      const caller = await authorize(incoming.headers.authorization);
      scopes = caller?.scopes;
      called = { route: matched.route.path, subject: caller?.subject };
      if (!caller) {
        incoming.resume();
        throw new HttpError(401, 'Missing or invalid bearer token', 'invalid_token');
      }
      if (!hasAnyScope(caller.scopes, matched.route.scopes)) {
        incoming.resume();
        throw new HttpError(403, insufficientScopeMessage(matched.route.scopes), 'insufficient_scope');
      }
    }
    const raw = preread ?? (await readBody(incoming));
    const body = matched.route.rawBody ? undefined : parseBody(raw, incoming.headers['content-type']);
    const reply = await matched.route.handler({ method, path: url.pathname, query: url.searchParams, params: matched.params, headers: incoming.headers, body, rawBody: raw, ip: incoming.socket.remoteAddress ?? '', ...(scopes ? { scopes } : {}) });
    send(response, reply);
  } catch (error) {
    sendError(response, error, onError);
  }
  if (called && onCall) onCall({ method: (incoming.method ?? 'GET').toUpperCase(), route: called.route, status: response.statusCode, subject: called.subject, headers: incoming.headers });
}
