/**
 * The audit treats Auth0's own defaults as the Actions do: a database user whose name is their e-mail,
 * nickname its local part and picture the Gravatar Auth0 gave them breaks no value rule, with or without a
 * provenance record; another address in a name still does.
 */
import { coverageOf, UsersAudit } from '../scripts/audit/users';
import { loadProject } from '../scripts/lib/project';
import { auth0Defaults } from '@auth0-root-attributes/local-tenant';
import { SAMPLE_TENANT } from './support/sample';

const project = loadProject(SAMPLE_TENANT);

const user = (email: string, values: Record<string, string>) => ({
  user_id: `auth0|${email.length}${email.charCodeAt(0)}`,
  email,
  identities: [{ connection: 'Username-Password-Authentication', provider: 'auth0', user_id: 'x' }],
  app_metadata: {},
  ...values,
});

it("finds no violation in Auth0's defaults for e-mails of several shapes, and still finds another address", () => {
  const audit = new UsersAudit(project.compiled, project.policy.metadataKey);
  const emails = ['jane@example.com', 'jane.doe+news@example.com', 'j.doe@mail.corp.example.co.uk', 'Jane.Doe@Example.COM'];
  for (const email of emails) audit.add(user(email, auth0Defaults(email)));
  audit.add(user('mallory@example.com', { ...auth0Defaults('mallory@example.com'), name: 'boss@example.com' }));
  const result = audit.result();
  expect(result.users).toBe(5);
  expect(result.withoutRecord).toBe(5);
  expect(result.examples).toEqual([{ user_id: expect.any(String), connection: 'Username-Password-Authentication', code: 'name.email-address' }]);
  expect(result.violations).toBe(1);
});

it('counts the users with a record on any connection, tells of each one without, and never rounds a gap away', () => {
  const unrecorded: string[] = [];
  const audit = new UsersAudit(project.compiled, project.policy.metadataKey, (userId) => unrecorded.push(userId));
  const record = { v: 1, connection: 'Username-Password-Authentication', digest: 'x', policy: 'y', attributes: {}, violations: [] };
  audit.add({ ...user('a@example.com', {}), user_id: 'auth0|a', app_metadata: { [project.policy.metadataKey]: record } });
  audit.add({ ...user('b@example.com', {}), user_id: 'auth0|b' });
  audit.add({ user_id: 'nowhere|c', identities: [{ connection: 'not-in-tenant-yaml' }], app_metadata: { [project.policy.metadataKey]: 'not a record' } });
  expect(audit.result()).toMatchObject({ users: 3, recorded: 1 });
  expect(unrecorded).toEqual(['auth0|b', 'nowhere|c']);
  expect(coverageOf({ users: 3, recorded: 1 })).toBe('1 of 3 (33.3%)');
  expect(coverageOf({ users: 50_000, recorded: 49_999 })).toBe('49,999 of 50,000 (99.9%)');
  expect(coverageOf({ users: 50_000, recorded: 50_000 })).toBe('50,000 of 50,000 (100.0%)');
});
