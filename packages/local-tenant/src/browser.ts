/**
 * A browser without a screen, for the local tenant's hosted pages over plain HTTPS: it keeps cookies
 * (path and expiry honoured), follows redirects until it reaches the application, and fills and submits
 * the forms it finds on a page. It trusts the tenant's CA and nothing else. `npm start` signs its users in
 * with it, and the end-to-end tests drive the pages with it.
 */
import { request } from 'node:https';

export interface Page {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Form {
  action: string;
  method: string;
  fields: Record<string, string>;
  /** The text of the form's submit button. */
  button: string;
}

interface Cookie {
  name: string;
  value: string;
  path: string;
  expires: number;
}

const unescape = (text: string) => text.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>');

function attributes(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([a-zA-Z_:.-]+)(?:="([^"]*)")?/g)].map((match) => [match[1] ?? '', unescape(match[2] ?? '')]));
}

/** The forms of a page, with their inputs' current values. */
export function formsOf(page: Page): Form[] {
  return [...page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((match) => {
    const attrs = attributes(match[1] ?? '');
    const inputs = [...(match[2] ?? '').matchAll(/<input\b([^>]*)>/g)].map((input) => attributes(input[1] ?? ''));
    const fields = Object.fromEntries(inputs.filter((input) => input.name).map((input) => [input.name ?? '', input.value ?? '']));
    const button = /<button\b[^>]*>([\s\S]*?)<\/button>/.exec(match[2] ?? '')?.[1]?.trim() ?? '';
    return { action: new URL(attrs.action ?? page.url, page.url).href, method: (attrs.method ?? 'get').toUpperCase(), fields, button: unescape(button) };
  });
}

/** The text of the page's alerts (errors announced to the user), in order. */
export function alertsOf(page: Page): string[] {
  return [...page.body.matchAll(/role="alert"[^>]*>([\s\S]*?)<\/(?:p|div)>/g)].map((match) => unescape((match[1] ?? '').trim()));
}

export class UserAgent {
  private readonly jar = new Map<string, Cookie[]>();

  constructor(private readonly ca: string) {}

  private cookieHeader(url: URL): string {
    const now = Date.now();
    return (this.jar.get(url.host) ?? [])
      .filter((cookie) => cookie.expires > now && (url.pathname === cookie.path || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`)))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  private store(url: URL, setCookie: string[] | undefined): void {
    for (const header of setCookie ?? []) {
      const [pair = '', ...parts] = header.split(';').map((part) => part.trim());
      const index = pair.indexOf('=');
      const cookie: Cookie = { name: pair.slice(0, index), value: pair.slice(index + 1), path: '/', expires: Number.POSITIVE_INFINITY };
      for (const part of parts) {
        const [key = '', value = ''] = part.split('=');
        if (key.toLowerCase() === 'path') cookie.path = value;
        if (key.toLowerCase() === 'expires') cookie.expires = Date.parse(value);
        if (key.toLowerCase() === 'max-age') cookie.expires = Date.now() + Number(value) * 1000;
      }
      const kept = (this.jar.get(url.host) ?? []).filter((other) => other.name !== cookie.name || other.path !== cookie.path);
      this.jar.set(url.host, [...kept, cookie]);
    }
  }

  /** Whether the browser holds a cookie of this name for a host. */
  has(host: string, name: string): boolean {
    return (this.jar.get(host) ?? []).some((cookie) => cookie.name === name && cookie.expires > Date.now());
  }

  fetch(target: string, options: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    const url = new URL(target);
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: options.method ?? 'GET', ca: this.ca, timeout: 10_000,
          headers: { 'user-agent': 'user-agent-test/1.0', cookie: this.cookieHeader(url), ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            this.store(url, res.headers['set-cookie']);
            resolve({ url: url.href, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${url.href} timed out`)));
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  }

  /**
   * Opens a URL and follows redirects, stopping at the first one that leaves for `stopAt` (the app's
   * callback, returned as the URL the app would receive) or at a page the tenant shows.
   */
  async open(target: string, stopAt: string, options: { method?: string; form?: Record<string, string> } = {}): Promise<{ arrived: string } | { page: Page }> {
    let page = await this.fetch(target, options);
    for (let hops = 0; hops < 20; hops++) {
      const location = page.headers.location;
      if (page.status < 300 || page.status >= 400 || typeof location !== 'string') return { page };
      const next = new URL(location, page.url).href;
      if (next.startsWith(stopAt)) return { arrived: next };
      page = await this.fetch(next);
    }
    throw new Error(`too many redirects from ${target}`);
  }

  /** Submits a form of the page (the first whose button reads `button`, or the first), with `values` filled in. */
  submit(page: Page, stopAt: string, values: Record<string, string>, button?: string) {
    const forms = formsOf(page);
    const form = button ? forms.find((candidate) => candidate.button === button) : forms[0];
    if (!form) throw new Error(`no form${button ? ` with the button "${button}"` : ''} on ${page.url}`);
    const fields = { ...form.fields, ...values };
    if (form.method === 'GET') {
      const url = new URL(form.action);
      for (const [key, value] of Object.entries(fields)) url.searchParams.set(key, value);
      return this.open(url.href, stopAt);
    }
    return this.open(form.action, stopAt, { method: 'POST', form: fields });
  }
}

/** Where a step of the browser ended: a page the tenant showed, or the app's URL it arrived at. */
export type Step = { arrived: string } | { page: Page };

/** The page a step showed; throws, saying where it went instead, when it arrived at the app. */
export function pageOf(step: Step): Page {
  if (!('page' in step)) throw new Error(`expected a page, arrived at the app: ${step.arrived}`);
  return step.page;
}

/** The app's URL a step arrived at; throws, naming the page and its alerts, when the tenant showed a page. */
export function arrivedAt(step: Step): string {
  if (!('arrived' in step)) throw new Error(`expected to arrive at the app, got the page ${step.page.url} (${step.page.status}): ${alertsOf(step.page).join(' | ')}`);
  return step.arrived;
}
