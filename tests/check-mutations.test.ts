/**
 * The checker under random mutations of the sample tenant.yaml and of an environment file (deleted
 * lines, swapped values, broken indentation, values of the wrong type): every run ends in located
 * findings or a clean pass, never a crash. Seeded (PROPERTY_SEED) so a failure can be replayed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { runCheck } from '../scripts/check/index';
import type { CheckResult } from '../scripts/check/index';
import { buildActions } from '../scripts/lib/build-actions';
import { readEnvironment } from '../scripts/lib/environments';
import { copySample, SAMPLE, sampleTenantText } from './support/sample';

jest.setTimeout(300_000);

const SEED = Number(process.env.PROPERTY_SEED ?? 20261125);
const SHIPPED = sampleTenantText().split('\n');
const STAGING = readFileSync(path.join(SAMPLE, 'environments', 'staging.yaml'), 'utf8').split('\n');

type Mutation = (lines: string[]) => string[];

const VALUES = ['[]', '{}', '42', 'true', 'null', "''", '- x', 'on_first_logon', "'##LEAKED##'", 'plain-secret-value', '"unterminated', '&anchor x', '*alias'];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((n) => (lines: string[]) => lines.filter((_, i) => i !== n % lines.length)),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (lines: string[]) => {
    const copy = [...lines];
    const i = a % copy.length;
    const j = b % copy.length;
    const value = (line: string) => line.slice(line.indexOf(':') + 1);
    if (copy[i]?.includes(':') && copy[j]?.includes(':')) {
      const [x, y] = [copy[i] ?? '', copy[j] ?? ''];
      copy[i] = x.slice(0, x.indexOf(':') + 1) + value(y);
      copy[j] = y.slice(0, y.indexOf(':') + 1) + value(x);
    }
    return copy;
  }),
  fc.tuple(fc.nat(), fc.integer({ min: -3, max: 3 })).map(([n, shift]) => (lines: string[]) =>
    lines.map((line, i) => (i === n % lines.length ? (shift >= 0 ? ' '.repeat(shift) + line : line.slice(-shift)) : line))),
  fc.tuple(fc.nat(), fc.constantFrom(...VALUES)).map(([n, value]) => (lines: string[]) =>
    lines.map((line, i) => (i === n % lines.length && line.includes(':') ? `${line.slice(0, line.indexOf(':') + 1)} ${value}` : line))),
  fc.nat().map((n) => (lines: string[]) => lines.map((line, i) => (i === n % lines.length ? line.replace(/^( *)/, '$1\t') : line))),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (lines: string[]) => {
    const copy = [...lines];
    const line = copy[a % copy.length] ?? '';
    copy.splice(b % copy.length, 0, line);
    return copy;
  }),
);

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'check-mutations-'));
  copySample(dir);
  await buildActions({ tenantPath: path.join(dir, 'tenant.yaml') });
});

/** Findings located inside the file they name, with a message; secret values never in one. */
function expectLocated(result: CheckResult, linesOf: (file: string) => number): void {
  expect(result.findings.filter((finding) => finding.code === 'checker-error')).toEqual([]);
  for (const finding of result.findings) {
    expect(finding.location.line).toBeGreaterThanOrEqual(1);
    expect(finding.location.line).toBeLessThanOrEqual(linesOf(finding.location.file) + 1);
    expect(finding.location.col).toBeGreaterThanOrEqual(1);
    expect(finding.message.length).toBeGreaterThan(0);
    if (finding.code.endsWith('secret-literal')) expect(finding.message).not.toContain('plain-secret-value');
  }
  expect(result.errors + result.warnings).toBe(result.findings.length);
}

it('ends every run over a mutated tenant.yaml in located findings or a clean pass', () => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
      const lines = mutations.reduce((current, mutate) => mutate(current), SHIPPED);
      const file = path.join(dir, 'tenant.yaml');
      writeFileSync(file, lines.join('\n'));
      expectLocated(runCheck({ tenantPath: file }), () => lines.length);
    }),
    { seed: SEED, numRuns: 400 },
  );
});

it('ends every run over a mutated environment file in located findings or a clean pass', () => {
  const tenantPath = path.join(dir, 'tenant.yaml');
  writeFileSync(tenantPath, SHIPPED.join('\n'));
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
      const lines = mutations.reduce((current, mutate) => mutate(current), STAGING);
      writeFileSync(path.join(dir, 'environments', 'staging.yaml'), lines.join('\n'));
      const result = runCheck({ tenantPath, environment: readEnvironment(tenantPath, 'staging') });
      expectLocated(result, (file) => (file.endsWith('staging.yaml') ? lines.length : SHIPPED.length));
    }),
    { seed: SEED, numRuns: 400 },
  );
});
