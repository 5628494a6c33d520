/** Shared set-up of the scenario tests: the fixture tenant and policy, a frozen clock, record helpers. */
import * as path from 'node:path';
import type { ActionSetup } from '../kit';

export const FIXTURE: ActionSetup = {
  tenant: path.join(__dirname, '..', 'fixtures', 'tenant.yaml'),
  policy: path.join(__dirname, '..', 'fixtures', 'strict-policy.ts'),
};
export const FIXTURE_KEY = 'provenance';
export const FIXTURE_NAMESPACE = 'https://test.example/';
export const NOW = '2026-11-25T18:00:00.000Z';

/** Freezes Date for each test (the Actions stamp `at` with the current time). */
export function freezeClock(): void {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date(NOW), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });
}

export const CONNECTIONS = {
  database: { name: 'Username-Password-Authentication', strategy: 'auth0' },
  importDb: { name: 'legacy-import', strategy: 'auth0' },
  externalDb: { name: 'external-store', strategy: 'auth0' },
  google: { name: 'google-oauth2', strategy: 'google-oauth2' },
  corp: { name: 'corp-oidc', strategy: 'oidc' },
  github: { name: 'github', strategy: 'github' },
  bankId: { name: 'bank-id', strategy: 'bank-id-oauth' },
  email: { name: 'email', strategy: 'email' },
  sms: { name: 'sms', strategy: 'sms' },
} as const;

/** The JSON log lines of a run that have this `event` field. */
export function logsOf(logs: unknown[], event: string): Array<Record<string, unknown>> {
  return logs.filter((line): line is Record<string, unknown> => typeof line === 'object' && line !== null && (line as { event?: unknown }).event === event);
}
