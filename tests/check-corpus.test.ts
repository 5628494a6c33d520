/**
 * The checker's corpus: broken tenant.yaml and policy fixtures, each naming in its header the findings it
 * must produce (`expect: <severity> <code> <file>:<line>:<col>`), and nothing else. Each runs against
 * freshly built bundles, so only the planted problem is found.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../scripts/check/index';
import { buildActions } from '../scripts/lib/build-actions';
import { copySample, sampleTenantText } from './support/sample';

const CORPUS = path.join(__dirname, 'fixtures', 'check');
const SHIPPED_TENANT = sampleTenantText();

interface Fixture {
  file: string;
  text: string;
}

function read(dir: string): Fixture[] {
  return readdirSync(path.join(CORPUS, dir))
    .sort()
    .map((name) => ({ file: path.join(CORPUS, dir, name), text: readFileSync(path.join(CORPUS, dir, name), 'utf8') }));
}

/** Header directives: lines like `# expect: …` or `// stale: …`. */
function directives(text: string, name: string): string[] {
  return [...text.matchAll(new RegExp(`^(?:#|//) ${name}: (.+)$`, 'gm'))].map((match) => match[1] ?? '');
}

/** A folder with tenant.yaml and bundles built from it (with the given policy, else the sample's), as a team's checkout has. */
async function workspace(tenantText: string, policyFile: string | undefined): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'root-attributes-check-'));
  const tenantPath = copySample(dir);
  writeFileSync(tenantPath, tenantText);
  try {
    await buildActions({ tenantPath, policyFile });
  } catch {
    // tenant.yaml is too broken to build from (the finding says so): use bundles of the shipped one.
    // A policy too broken to build with (its findings say so): those of the shipped policy.
    writeFileSync(path.join(dir, 'shipped.yaml'), SHIPPED_TENANT);
    const shipped = await buildActions({ tenantPath: path.join(dir, 'shipped.yaml'), policyFile }).catch(() => buildActions({ tenantPath: path.join(dir, 'shipped.yaml') }));
    mkdirSync(path.join(dir, 'build', 'actions'), { recursive: true });
    for (const action of shipped.actions) copyFileSync(action.file, path.join(dir, 'build', 'actions', path.basename(action.file)));
  }
  return tenantPath;
}

function findingsOf(tenantPath: string, policyFile?: string): string[] {
  const result = runCheck({ tenantPath, policyFile });
  return result.findings.map((f) => `${f.severity} ${f.code} ${path.basename(f.location.file)}:${f.location.line}:${f.location.col}`);
}

const tenantFixtures = read('tenant');
const policyFixtures = read('policy');

describe('the checker corpus', () => {
  it('holds at least 40 broken fixtures, each expecting a finding', () => {
    expect(tenantFixtures.length + policyFixtures.length).toBeGreaterThanOrEqual(40);
    for (const fixture of [...tenantFixtures, ...policyFixtures]) expect(directives(fixture.text, 'expect').length).toBeGreaterThan(0);
  });

  it.each(tenantFixtures.map((fixture) => [path.basename(fixture.file), fixture] as const))('tenant fixture %s', async (_name, fixture) => {
    const tenantPath = await workspace(fixture.text, undefined);
    for (const bundle of directives(fixture.text, 'stale')) {
      // Older than any source, however long ago this checkout's files were written.
      const past = new Date('2000-01-01T00:00:00Z');
      utimesSync(path.join(path.dirname(tenantPath), 'build', 'actions', `${bundle}.js`), past, past);
    }
    for (const spec of directives(fixture.text, 'built-from')) {
      const bundle = path.join(path.dirname(tenantPath), 'build', 'actions', `${spec.split(' ')[1]}.js`);
      writeFileSync(bundle, readFileSync(bundle, 'utf8').replace(/connections [A-Za-z0-9_-]{12}/, 'connections AAAAAAAAAAAA'));
    }
    expect(findingsOf(tenantPath)).toEqual(directives(fixture.text, 'expect'));
  });

  it.each(policyFixtures.map((fixture) => [path.basename(fixture.file), fixture] as const))('policy fixture %s', async (_name, fixture) => {
    const [paired] = directives(fixture.text, 'tenant');
    const tenantText = paired ? readFileSync(path.join(CORPUS, 'paired', `${paired}.yaml`), 'utf8') : SHIPPED_TENANT;
    const tenantPath = await workspace(tenantText, fixture.file);
    expect(findingsOf(tenantPath, fixture.file)).toEqual(directives(fixture.text, 'expect'));
  });
});
