import { definePolicy } from '../actions/lib/define-policy';
import policy from './fixtures/sample/actions/policy';

describe('definePolicy', () => {
  it('returns its argument unchanged (it exists for type checking)', () => {
    const input = { ...policy };
    expect(definePolicy(input)).toBe(input);
  });

  it('ships a metadata key and namespace Auth0 accepts', () => {
    expect(policy.metadataKey).not.toMatch(/[.$]/);
    expect(policy.namespace).toMatch(/^https:\/\/[^/]+\/$/);
  });
});
