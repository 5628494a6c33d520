import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ActionsRuntime, type DeployedAction } from '../src/index';

const action = (name: string, body: string, trigger = 'PostLogin', extra: Partial<DeployedAction> = {}): DeployedAction => ({
  name,
  code: `exports.onExecute${trigger} = async (event, api) => {\n${body}\n};`,
  secrets: {},
  dependencies: [],
  ...extra,
});
const event = () => ({ user: { user_id: 'auth0|1', app_metadata: { plan: 'gold' }, user_metadata: {} }, connection: { name: 'db' } });

let runtime: ActionsRuntime;
beforeAll(() => {
  runtime = new ActionsRuntime({ timeoutMs: 1_500, workers: 2 });
});
afterAll(() => runtime.close());

describe('the Actions runtime', () => {
  it('runs the bindings in order; a later Action sees what an earlier one wrote; writes merge at the first level', async () => {
    const result = await runtime.run({
      trigger: 'post-login',
      event: event(),
      actions: [
        action('first', "api.user.setAppMetadata('a', 1); api.idToken.setCustomClaim('https://x/first', true); console.log('first ran');"),
        action('second', "api.user.setAppMetadata('b', event.user.app_metadata.a + 1); console.log('second saw', JSON.stringify(event.user.app_metadata));"),
      ],
    });
    expect(result.outcome).toBe('completed');
    expect(result.appMetadata).toEqual({ a: 1, b: 2 });
    expect(result.idTokenClaims).toEqual({ 'https://x/first': true });
    expect(result.calls.map((call) => `${call.action}:${call.method}`)).toEqual(['first:user.setAppMetadata', 'first:idToken.setCustomClaim', 'second:user.setAppMetadata']);
    expect(result.logs).toEqual([
      { action: 'first', line: 'first ran' },
      { action: 'second', line: 'second saw {"plan":"gold","a":1}' },
    ]);
  });

  it('ends the flow at a deny, keeping the metadata written before it', async () => {
    const result = await runtime.run({
      trigger: 'post-login',
      event: event(),
      actions: [action('denier', "api.user.setAppMetadata('seen', true); api.access.deny('No entry.');"), action('never', "api.user.setAppMetadata('never', true);")],
    });
    expect(result).toMatchObject({ outcome: 'denied', denied: { action: 'denier', reason: 'No entry.' }, appMetadata: { seen: true } });
    expect(result.calls.some((call) => call.action === 'never')).toBe(false);
  });

  it('passes a pre-user-registration deny with its user message', async () => {
    const result = await runtime.run({ trigger: 'pre-user-registration', event: event(), actions: [action('gate', "api.access.deny('name.web-address', 'Your name can\\'t contain a web address.');", 'PreUserRegistration')] });
    expect(result.denied).toEqual({ action: 'gate', reason: 'name.web-address', userMessage: "Your name can't contain a web address." });
  });

  it('fails the flow when an Action throws, or misuses the api as Auth0 would refuse', async () => {
    const thrown = await runtime.run({ trigger: 'post-login', event: event(), actions: [action('broken', "throw new Error('boom');")] });
    expect(thrown).toMatchObject({ outcome: 'failed', failure: { action: 'broken', kind: 'error', message: 'Error: boom' } });
    const misuse = await runtime.run({ trigger: 'post-login', event: event(), actions: [action('dotted', "api.user.setAppMetadata('a.b', 1);")] });
    expect(misuse).toMatchObject({ outcome: 'failed', failure: { kind: 'error', message: expect.stringContaining('may not contain "." or "$"') } });
  });

  it('fails a flow that runs past the time limit, while other flows keep being answered', async () => {
    const started = Date.now();
    let loopEnded = false;
    const looping = runtime.run({ trigger: 'post-login', event: event(), actions: [action('loop', 'while (true) {}')] }).finally(() => (loopEnded = true));
    const meanwhile = await runtime.run({ trigger: 'post-login', event: event(), actions: [action('quick', "api.user.setAppMetadata('ok', true);")] });
    expect(meanwhile.outcome).toBe('completed');
    // Answered while the loop still ran (an order, not a time: a busy machine stretches both alike).
    expect(loopEnded).toBe(false);
    const result = await looping;
    expect(result).toMatchObject({ outcome: 'failed', failure: { action: 'loop', kind: 'timeout', message: 'Script execution time exceeded (1500 ms)' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    const after = await runtime.run({ trigger: 'post-login', event: event(), actions: [action('after', "api.user.setAppMetadata('fine', true);")] });
    expect(after.appMetadata).toEqual({ fine: true });
  });

  it('isolates an Action: Node built-ins and declared dependencies only, no host environment, its own globals', async () => {
    process.env.HOST_SECRET_FOR_TEST = 'host-secret';
    const result = await runtime.run({
      trigger: 'post-login',
      event: event(),
      actions: [
        action('probe', [
          "const crypto = require('node:crypto');",
          "let missing = 'loaded'; try { require('left-pad'); } catch (e) { missing = e.message; }",
          "api.user.setAppMetadata('probe', { hash: typeof crypto.createHash, missing, env: process.env.HOST_SECRET_FOR_TEST ?? null, url: typeof URL, fetch: typeof fetch, secret: event.secrets.KEY });",
          'globalThis.leaked = true;',
        ].join('\n'), 'PostLogin', { secrets: { KEY: 'action-secret' } }),
        action('neighbour', "api.user.setAppMetadata('leaked', typeof globalThis.leaked);"),
      ],
    });
    delete process.env.HOST_SECRET_FOR_TEST;
    expect(result.appMetadata).toEqual({
      probe: { hash: 'function', missing: "Cannot find module 'left-pad'", env: null, url: 'function', fetch: 'function', secret: 'action-secret' },
      leaked: 'undefined',
    });
  });

  it('keeps the tenant out of reach of an Action that escapes its context: no files, no processes, no signals, no environment', async () => {
    process.env.HOST_SECRET_FOR_TEST = 'host-secret';
    // A file of the host's, such as the local tenant's database, where every secret of the tenant lives.
    const stateFile = path.join(mkdtempSync(path.join(tmpdir(), 'host-')), 'tenant.db');
    writeFileSync(stateFile, 'host-secret');
    const result = await runtime.run({
      trigger: 'post-login',
      event: event(),
      actions: [
        action('escape', [
          "const host = console.log.constructor('return process')();",
          'const attempt = (fn) => { try { fn(); return \'allowed\'; } catch (e) { return e.code ?? e.message; } };',
          'api.user.setAppMetadata(\'escape\', {',
          `  read: attempt(() => host.mainModule?.require('fs').readFileSync(${JSON.stringify(stateFile)}) ?? host.getBuiltinModule?.('fs').readFileSync(${JSON.stringify(stateFile)}) ?? require('fs').readFileSync(${JSON.stringify(stateFile)})),`,
          `  readDirect: attempt(() => require('fs').readFileSync(${JSON.stringify(stateFile)})),`,
          "  spawn: attempt(() => require('child_process').spawnSync('true')),",
          "  kill: attempt(() => host.kill(host.ppid, 'SIGKILL')),",
          "  binding: attempt(() => host.binding('fs')),",
          '  env: Object.keys(host.env).filter((name) => name !== \'NODE_EXTRA_CA_CERTS\'),',
          '});',
        ].join('\n')),
      ],
    });
    delete process.env.HOST_SECRET_FOR_TEST;
    expect(result.outcome).toBe('completed');
    expect(result.appMetadata.escape).toEqual({
      read: 'ERR_ACCESS_DENIED',
      readDirect: 'ERR_ACCESS_DENIED',
      spawn: 'ERR_ACCESS_DENIED',
      kill: 'process.kill is not available to Actions',
      binding: 'ERR_ACCESS_DENIED',
      env: [],
    });
    // This process is still here (the test goes on) and so is the runtime.
    const after = await runtime.run({ trigger: 'post-login', event: event(), actions: [action('after', "api.user.setAppMetadata('fine', true);")] });
    expect(after.appMetadata).toEqual({ fine: true });
  });

  it('lets no Action change what another computes by patching shared globals or built-in modules', async () => {
    const patcher = action('patcher', "'use strict';\nlet refused = [];\nfor (const patch of [() => { Buffer.prototype.toString = () => 'patched'; }, () => { URL.prototype.toString = () => 'patched'; }, () => { require('crypto').randomUUID = () => 'patched'; }, () => { Object.getPrototypeOf(Object.getPrototypeOf(Buffer.prototype)).join = () => 'patched'; }]) { try { patch(); } catch (e) { refused.push(e.constructor.name); } }\napi.user.setAppMetadata('refused', refused);");
    const victim = action('victim', "api.user.setAppMetadata('seen', [Buffer.from('ok').toString(), new URL('https://example.com/').toString(), require('crypto').randomUUID().length, Buffer.from([1, 2]).join()]);");
    const result = await runtime.run({ trigger: 'post-login', event: event(), actions: [patcher, victim] });
    expect(result.appMetadata).toEqual({ refused: ['TypeError', 'TypeError', 'TypeError', 'TypeError'], seen: ['ok', 'https://example.com/', 36, '1,2'] });
  });

  it('names the one Action that ran out of time, crashed its worker or ran out of memory; other flows are untouched', async () => {
    const quick = action('quick', "api.user.setAppMetadata('ok', true);");
    const [timedOut, exited, memory, meanwhile] = await Promise.all([
      runtime.run({ trigger: 'post-login', event: event(), actions: [quick, action('slow', 'await new Promise(() => {});')] }),
      runtime.run({ trigger: 'post-login', event: event(), actions: [quick, action('quitter', "console.log.constructor('return process')().exit(3);")] }),
      runtime.run({ trigger: 'post-login', event: event(), actions: [action('hog', 'const all = []; while (true) all.push(new Array(1e6).fill(1));')] }),
      runtime.run({ trigger: 'post-login', event: event(), actions: [quick] }),
    ]);
    expect(timedOut.failure).toEqual({ action: 'slow', kind: 'timeout', message: 'Script execution time exceeded (1500 ms)' });
    expect(exited.failure).toMatchObject({ action: 'quitter', kind: 'error' });
    expect(memory.failure).toMatchObject({ action: 'hog' });
    expect(meanwhile).toMatchObject({ outcome: 'completed', appMetadata: { ok: true } });
  });

  it('keeps 256 KB of one execution\'s log output, then says it truncated the rest', async () => {
    const result = await runtime.run({ trigger: 'post-login', event: event(), actions: [action('chatty', "for (let i = 0; i < 100000; i++) console.log('x'.repeat(1000));")] });
    expect(result.outcome).toBe('completed');
    const lines = result.logs.map((log) => log.line);
    expect(lines.at(-1)).toBe('[log output truncated: one execution may log 256 KB]');
    expect(lines.join('\n').length).toBeLessThan(260 * 1024);
    expect(lines.length).toBeGreaterThan(200);
  });

  it('hands the Action its event and api errors in its own realm, so instanceof checks hold as on Auth0', async () => {
    const result = await runtime.run({
      trigger: 'post-login',
      event: { ...event(), user: { ...event().user, identities: [{ provider: 'auth0' }] } },
      actions: [action('realm', "let misuse; try { api.user.setAppMetadata('a.b', 1); } catch (e) { misuse = e instanceof TypeError; }\napi.user.setAppMetadata('realm', [misuse, event.user instanceof Object, event.user.identities instanceof Array, event.constructor === Object]);")],
    });
    expect(result.appMetadata).toEqual({ realm: [true, true, true, true] });
  });

  it('keeps a plain script alive while its flow runs in a worker and while it closes the runtime, and lets it end then', () => {
    const script = `const { ActionsRuntime } = require(${JSON.stringify(path.join(__dirname, '..', 'src', 'index.ts'))});
      const runtime = new ActionsRuntime({ workers: 1 });
      runtime.run({ trigger: 'post-login', event: { user: { user_id: 'a' } }, actions: [{ name: 'slow', secrets: {}, dependencies: [], code: "exports.onExecutePostLogin = async (e, api) => { await new Promise((r) => setTimeout(r, 300)); api.user.setAppMetadata('done', true); };" }] })
        .then(async (result) => { console.log(JSON.stringify(result.appMetadata)); await runtime.close(); console.log('closed'); });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stdout.trim().split('\n')).toEqual(['{"done":true}', 'closed']);
    expect(run.status).toBe(0);
  });

  it('freezes the clock when asked, for tests', async () => {
    const result = await runtime.run({ trigger: 'post-login', event: event(), fixedTime: Date.UTC(2026, 10, 25, 18), actions: [action('clock', "api.user.setAppMetadata('now', new Date().toISOString());")] });
    expect(result.appMetadata).toEqual({ now: '2026-11-25T18:00:00.000Z' });
  });
});
