/**
 * Source positions inside the policy module, so findings about the policy point at `policy.ts:LINE:COL`
 * as findings about tenant.yaml do. Parses the file with the TypeScript compiler (no type check) and
 * walks the object literal passed to `definePolicy(...)` (or the default export).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import type { Location } from './errors';
import type { YamlPath } from './tenant-yaml';

export interface PolicySource {
  path: string;
  displayPath: string;
  /** Where the value at `at` starts (its property name with `part: 'key'`), or its nearest existing ancestor. */
  locate(at: YamlPath, part?: 'key' | 'value'): Location;
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

/** The object literal the policy is written as. */
function policyObject(source: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  let found: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
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
  const source = ts.createSourceFile(absolute, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const displayPath = path.relative(process.cwd(), absolute) || absolute;
  const root = policyObject(source);
  const at = (node: ts.Node): Location => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return { file: displayPath, line: line + 1, col: character + 1 };
  };

  function locate(target: YamlPath, part: 'key' | 'value' = 'value'): Location {
    let node: ts.Node | undefined = root;
    let best: ts.Node = root ?? source;
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
        const element: ts.Expression | undefined = node.elements[segment];
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
