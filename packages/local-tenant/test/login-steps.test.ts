/** The list of a login's steps stays true: every module it names exists and still has the name it points at. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CODE_FLOW, TOKEN_GRANTS } from '../src/login-steps';

const SRC = path.join(__dirname, '..', 'src');

describe.each([['the code flow', CODE_FLOW], ['Auth0\'s grants', TOKEN_GRANTS]] as const)('the steps of %s', (_label, steps) => {
  it('have unique ids and a description each', () => {
    expect(new Set(steps.map((step) => step.id)).size).toBe(steps.length);
    for (const step of steps) expect(step.does.length).toBeGreaterThan(20);
  });

  it.each(steps.flatMap((step) => step.by.map((place) => [step.id, place.file, place.name] as const)))('%s: %s still has %s', (_id, file, name) => {
    expect(readFileSync(path.join(SRC, file), 'utf8')).toContain(name);
  });
});
