/**
 * The packages are products of their own: the local tenant and the Actions runtime import nothing of the
 * project around them, and the project reaches each only through its entry (`@auth0-root-attributes/NAME`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.parentPath.includes('node_modules') && !entry.parentPath.includes('.local'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

/** Every module specifier a file imports, requires or re-exports, resolved to a project path when relative. */
function imports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map((match) => match[1] ?? '');
  return specifiers.map((specifier) => (specifier.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)) : specifier));
}

const outside = (file: string, own: string) => imports(file).filter((target) => !target.startsWith('node:') && (target.startsWith('actions') || target.startsWith('scripts') || target.startsWith('tests') || target.startsWith('examples') || (target.startsWith('packages/') && !target.startsWith(own))));

describe('package boundaries', () => {
  it.each(['packages/local-tenant', 'packages/actions-runtime'])('%s imports nothing from actions/, scripts/, tests/ or another package\'s files', (own) => {
    const found = sources(own).flatMap((file) => outside(file, `${own}/`).map((target) => `${file} → ${target}`));
    expect(found).toEqual([]);
  });

  it('the local tenant reaches the runtime through its entry only', () => {
    const found = sources('packages/local-tenant').flatMap((file) => imports(file).filter((target) => target.startsWith('@auth0-root-attributes/') && target !== '@auth0-root-attributes/actions-runtime').map((target) => `${file} → ${target}`));
    expect(found).toEqual([]);
  });

  it('the tool, its tests, the Actions and the examples reach the packages through their entries only', () => {
    const entries = new Set(['@auth0-root-attributes/local-tenant', '@auth0-root-attributes/actions-runtime']);
    const files = ['actions', 'scripts', 'tests', 'examples'].flatMap(sources);
    const found = files.flatMap((file) => imports(file).filter((target) => target.startsWith('packages/') || (target.startsWith('@auth0-root-attributes/') && !entries.has(target))).map((target) => `${file} → ${target}`));
    expect(found).toEqual([]);
  });
});
