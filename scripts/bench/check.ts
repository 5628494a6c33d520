/** The checker over the shipped tenant.yaml, and over a generated one with 500 connections and 50 actions. */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCheck } from '../check/index';
import { buildActions, PROJECT_ROOT } from '../lib/build-actions';
import { ProjectError } from '../lib/errors';
import { distribution, type Distribution } from './stats';

function time(runs: number, fn: () => unknown): Distribution {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start));
  }
  return distribution(samples);
}

/** A tenant with `connections` upstream connections (each in the policy) and `actions` actions. */
export async function largeTenant(dir: string, connections: number, actions: number): Promise<{ tenant: string; policy: string }> {
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(PROJECT_ROOT, 'connections'), path.join(dir, 'connections'), { recursive: true });
  const names = Array.from({ length: connections }, (_, i) => `partner-${i}`);
  const yaml = [
    'actions:',
    ...Array.from({ length: actions }, (_, i) => [
      `  - name: action-${i}`,
      `    code: ./build/actions/${i % 2 === 0 ? 'post-login' : 'pre-user-registration'}.js`,
      '    runtime: node22',
      '    supported_triggers:',
      `      - id: ${i % 2 === 0 ? 'post-login' : 'pre-user-registration'}`,
      `        version: ${i % 2 === 0 ? 'v3' : 'v2'}`,
      '    deployed: true',
    ]).flat(),
    'triggers:',
    '  post-login:',
    ...Array.from({ length: Math.min(20, Math.ceil(actions / 2)) }, (_, i) => `    - action_name: action-${i * 2}`),
    'databases:',
    '  - name: Username-Password-Authentication',
    '    strategy: auth0',
    'connections:',
    ...names.map((name, i) => [`  - name: ${name}`, `    strategy: ${i % 2 === 0 ? 'oidc' : 'samlp'}`, '    options:', `      client_secret: '##PARTNER_${i}_SECRET##'`, `      set_user_root_attributes: ${i % 3 === 0 ? 'on_each_login' : 'on_first_login'}`]).flat(),
    '',
  ].join('\n');
  const tenant = path.join(dir, 'tenant.yaml');
  writeFileSync(tenant, yaml);
  const policy = path.join(dir, 'policy.ts');
  writeFileSync(policy, [
    `import { definePolicy } from ${JSON.stringify(path.join(PROJECT_ROOT, 'actions', 'lib', 'define-policy'))};`,
    'export default definePolicy({',
    "  namespace: 'https://example.com/', metadataKey: 'root_attributes', values: { picture: { allowedHosts: ['*.example.com'] } },",
    "  enforce: { signup: { required: 'deny', values: 'deny', sources: 'deny' }, login: { required: 'flag', values: 'flag', sources: 'flag' } },",
    "  unmanagedConnections: 'record',",
    '  connections: {',
    "    'Username-Password-Authentication': { sources: ['signup', 'import', 'management_api', 'unknown'] },",
    ...names.map((name, i) => `    '${name}': { sync: '${i % 3 === 0 ? 'on_each_login' : 'on_first_login'}', sources: ['idp'${i % 3 === 0 ? '' : ", 'management_api'"}] },`),
    '  },',
    '});',
    '',
  ].join('\n'));
  try {
    await buildActions({ tenantPath: tenant, policyFile: policy });
  } catch (error) {
    // The bundles inline the whole policy and connection table: 500 connections take them over the
    // budget. They are written all the same; the checker reports their size.
    if (!(error instanceof ProjectError && error.code === 'bundle-invalid')) throw error;
  }
  return { tenant, policy };
}

export interface CheckFigures {
  shipped: Distribution;
  large: Distribution;
  largeFindings: number;
}

export async function benchCheck(dir: string): Promise<CheckFigures> {
  const shipped = time(20, () => runCheck({ tenantPath: path.join(PROJECT_ROOT, 'tenant.yaml') }));
  const large = await largeTenant(dir, 500, 50);
  let findings = 0;
  const largeTime = time(5, () => {
    findings = runCheck({ tenantPath: large.tenant, policyFile: large.policy }).findings.length;
  });
  return { shipped, large: largeTime, largeFindings: findings };
}
