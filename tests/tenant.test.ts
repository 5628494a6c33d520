import { possibleSources } from '../actions/lib/connection-kinds';
import policy from './fixtures/sample/actions/policy';
import { ACTION_ENTRIES } from '../scripts/lib/action-entries';
import { deriveConnectionTable, isRecord, tenantConnections } from '../scripts/lib/tenant-model';
import { readTenantFile } from '../scripts/lib/tenant-yaml';
import { SAMPLE_TENANT } from './support/sample';

const tenant = readTenantFile(SAMPLE_TENANT);

describe('the sample tenant.yaml (the one the project ships)', () => {
  it('parses without a syntax error', () => {
    expect(tenant.syntaxErrors).toEqual([]);
  });

  it('says explicitly how each upstream connection syncs, and nothing where sync does not apply', () => {
    const sync = Object.fromEntries(tenantConnections(tenant.data).map((c) => [c.name, c.syncValue]));
    expect(sync).toEqual({
      'Username-Password-Authentication': undefined,
      'google-oauth2': 'on_first_login',
      'corp-oidc': 'on_each_login',
      email: undefined,
    });
  });

  it('keeps the database connection under databases:, where a0deploy expects strategy auth0', () => {
    const sections = tenantConnections(tenant.data).map((c) => [c.name, c.section, c.strategy]);
    expect(sections).toEqual([
      ['Username-Password-Authentication', 'databases', 'auth0'],
      ['google-oauth2', 'connections', 'google-oauth2'],
      ['corp-oidc', 'connections', 'oidc'],
      ['email', 'connections', 'email'],
    ]);
  });

  it('holds secrets only as ##KEY## placeholders', () => {
    for (const connection of tenantConnections(tenant.data)) {
      for (const key of ['client_secret', 'client_id']) {
        const value = connection.options[key];
        if (value !== undefined) expect(value).toMatch(/^##[A-Z0-9_]+##$/);
      }
    }
  });

  it('deploys both Actions from the build output on node22 at the current trigger versions, bound to their triggers', () => {
    const data = tenant.data as { actions: Array<Record<string, unknown>>; triggers: Record<string, Array<{ action_name: string }>> };
    for (const entry of ACTION_ENTRIES) {
      const action = data.actions.find((a) => a.code === `./build/actions/${entry.bundle}.js`);
      expect(action).toMatchObject({ runtime: 'node22', deployed: true, supported_triggers: [{ id: entry.trigger, version: entry.triggerVersion }] });
      expect(data.triggers[entry.trigger]?.map((binding) => binding.action_name)).toEqual([action?.name]);
    }
  });

  it('fits the shipped policy: same connections, the sync the policy requires, only possible sources', () => {
    const table = deriveConnectionTable(tenant.data, policy);
    expect(Object.keys(table).sort()).toEqual(Object.keys(policy.connections).sort());
    for (const [name, settings] of Object.entries(policy.connections)) {
      const entry = table[name]!;
      if (settings.sync) expect(entry.sync).toBe(settings.sync);
      const possible = possibleSources(entry.kind, entry.sync);
      for (const source of settings.sources) expect(possible).toContain(source);
    }
  });

  it('locates any node for findings: the google connection\'s sync value', () => {
    const at = tenant.locate(['connections', 0, 'options', 'set_user_root_attributes']);
    const line = tenant.text.split('\n')[at.line - 1] ?? '';
    expect(line.slice(at.col - 1)).toBe('on_first_login');
    const key = tenant.locate(['connections', 0, 'options', 'set_user_root_attributes'], 'key');
    expect(line.slice(key.col - 1)).toBe('set_user_root_attributes: on_first_login');
    expect(isRecord(tenant.data)).toBe(true);
  });
});
