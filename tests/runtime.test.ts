import { ActionsRuntime, type DeployedAction } from '../scripts/runtime/index';

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
    const looping = runtime.run({ trigger: 'post-login', event: event(), actions: [action('loop', 'while (true) {}')] });
    const meanwhile = await runtime.run({ trigger: 'post-login', event: event(), actions: [action('quick', "api.user.setAppMetadata('ok', true);")] });
    expect(meanwhile.outcome).toBe('completed');
    expect(Date.now() - started).toBeLessThan(1_000);
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
          "const stub = require('auth0');",
          "let missing = 'loaded'; try { require('left-pad'); } catch (e) { missing = e.message; }",
          "api.user.setAppMetadata('probe', { hash: typeof crypto.createHash, stub: typeof stub.ManagementClient, missing, env: process.env.HOST_SECRET_FOR_TEST ?? null, url: typeof URL, fetch: typeof fetch, secret: event.secrets.KEY });",
          'globalThis.leaked = true;',
        ].join('\n'), 'PostLogin', { dependencies: ['auth0'], secrets: { KEY: 'action-secret' } }),
        action('neighbour', "api.user.setAppMetadata('leaked', typeof globalThis.leaked);"),
      ],
    });
    delete process.env.HOST_SECRET_FOR_TEST;
    expect(result.appMetadata).toEqual({
      probe: { hash: 'function', stub: 'function', missing: "Cannot find module 'left-pad'", env: null, url: 'function', fetch: 'function', secret: 'action-secret' },
      leaked: 'undefined',
    });
  });

  it('freezes the clock when asked, for tests', async () => {
    const result = await runtime.run({ trigger: 'post-login', event: event(), fixedTime: Date.UTC(2026, 10, 25, 18), actions: [action('clock', "api.user.setAppMetadata('now', new Date().toISOString());")] });
    expect(result.appMetadata).toEqual({ now: '2026-11-25T18:00:00.000Z' });
  });
});
