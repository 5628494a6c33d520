/**
 * A test of a team's own Action, beside it in actions/: jest finds it. `loadAction` finds the Action in
 * tenant.yaml by name and runs it with the dependencies and secrets it declares — from its TypeScript source
 * in this process, and as `npm run build` bundles it, in the runtime's locked-down worker as the tenant runs it.
 */
import { loadAction, postLoginEvent, TARGETS, type ActionUnderTest } from '../tests/kit';

describe.each(TARGETS)('network-claim (%s)', (target) => {
  let action: ActionUnderTest;
  beforeAll(async () => {
    action = await loadAction(target, 'network-claim', { secrets: { CLAIM_NAMESPACE: 'https://corp.example/' } });
  });
  afterAll(() => action.close());

  it('tells the app the kind of network the login came from', async () => {
    const result = await action.run(postLoginEvent({ request: { ip: '10.1.2.3' } }));
    expect(result.outcome).toBe('completed');
    expect(result.idTokenClaims).toEqual({ 'https://corp.example/network': 'private' });
  });

  it('fails a login with no IP address, naming the line of the source that threw', async () => {
    const result = await action.run(postLoginEvent({ request: { ip: '' } }));
    expect(result.outcome).toBe('failed');
    expect(result.failure).toMatchObject({ action: 'network-claim', message: 'Error: the login has no IP address', source: expect.stringMatching(/actions\/network-claim\.ts:20:\d+$/) });
  });
});
