/**
 * Source positions inside the policy module, so findings about the policy point at `policy.ts:LINE:COL`
 * as findings about tenant.yaml do. Parses the file with the TypeScript compiler (no type check) and
 * walks the object literal passed to `definePolicy(...)` (or the default export).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as TypeScript from 'typescript';

/** The TypeScript compiler, loaded only when a finding needs a position in the policy (it takes a while to load). */
let compiler: typeof TypeScript | undefined;
function typescript(): typeof TypeScript {
  compiler ??= require('typescript') as typeof TypeScript;
  return compiler;
}
import type { Location } from './errors';
import type { YamlPath } from './tenant-yaml';

export interface PolicySource {
  path: string;
  displayPath: string;
  /** Where the value at `at` starts (its property name with `part: 'key'`), or its nearest existing ancestor. */
  locate(at: YamlPath, part?: 'key' | 'value'): Location;
}

function propertyName(name: TypeScript.PropertyName): string | undefined {
  const ts = typescript();
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** The object literal the policy is written as. */
function policyObject(source: TypeScript.SourceFile): TypeScript.ObjectLiteralExpression | undefined {
  const ts = typescript();
  let found: TypeScript.ObjectLiteralExpression | undefined;
  const visit = (node: TypeScript.Node): void => {
    if (found) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'definePolicy') {
      const [argument] = node.arguments;
      if (argument && ts.isObjectLiteralExpression(argument)) found = argument;
    } else if (ts.isExportAssignment(node) && ts.isObjectLiteralExpression(node.expression)) {
      found = node.expression;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function readPolicySource(file: string): PolicySource {
  const absolute = path.resolve(file);
  const text = readFileSync(absolute, 'utf8');
  const displayPath = path.relative(process.cwd(), absolute) || absolute;
  let parsed: { source: TypeScript.SourceFile; root: TypeScript.ObjectLiteralExpression | undefined } | undefined;

  function locate(target: YamlPath, part: 'key' | 'value' = 'value'): Location {
    const ts = typescript();
    if (!parsed) {
      const source = ts.createSourceFile(absolute, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      parsed = { source, root: policyObject(source) };
    }
    const { source, root } = parsed;
    const at = (node: TypeScript.Node): Location => {
      const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
      return { file: displayPath, line: line + 1, col: character + 1 };
    };
    let node: TypeScript.Node | undefined = root;
    let best: TypeScript.Node = root ?? source;
    for (let i = 0; i < target.length && node; i++) {
      const segment = target[i];
      const last = i === target.length - 1;
      if (ts.isObjectLiteralExpression(node)) {
        const property = node.properties.find((p) => p.name !== undefined && propertyName(p.name) === String(segment));
        if (!property) break;
        best = property;
        if (last && part === 'key') return at(property.name ?? property);
        node = ts.isPropertyAssignment(property) ? property.initializer : undefined;
        if (node) best = node;
      } else if (ts.isArrayLiteralExpression(node) && typeof segment === 'number') {
        const element: TypeScript.Expression | undefined = node.elements[segment];
        if (!element) break;
        node = element;
        best = element;
      } else {
        break;
      }
    }
    return at(best);
  }

  return { path: absolute, displayPath, locate };
}
