/**
 * The audit treats Auth0's own defaults as the Actions do: a database user whose name is their e-mail,
 * nickname its local part and picture the Gravatar Auth0 gave them breaks no value rule, with or without a
 * provenance record; another address in a name still does.
 */
import * as path from 'node:path';
import { UsersAudit } from '../scripts/audit/users';
import { PROJECT_ROOT } from '../scripts/lib/build-actions';
import { loadProject } from '../scripts/lib/project';
import { auth0Defaults } from '@auth0-root-attributes/local-tenant';

const project = loadProject(path.join(PROJECT_ROOT, 'tenant.yaml'));

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
