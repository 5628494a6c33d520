/**
 * The one loader of tenant.yaml: parsed with the `yaml` package keeping source positions, so every
 * finding and error can point at `tenant.yaml:LINE:COL`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Parser, type Document, type Node } from 'yaml';
import { ProjectError, type Location } from './errors';
import { replaceKeywordsMapped, type KeywordMappings } from './keywords';

export type YamlPath = ReadonlyArray<string | number>;

export interface SyntaxProblem {
  code: string;
  message: string;
  location: Location;
}

export interface TenantFile {
  /** Absolute path. */
  path: string;
  /** The path as printed in findings: relative to the working directory. */
  displayPath: string;
  /** tenant.yaml's folder: a0deploy resolves action code paths from here. */
  dir: string;
  text: string;
  document: Document.Parsed;
  /** The document as plain data (what a0deploy would see, before keyword replacement). */
  data: unknown;
  syntaxErrors: SyntaxProblem[];
  /**
   * Placeholders written unquoted where a value goes (`value: ##JWT_SECRET##`): YAML reads them as a comment
   * and the value as empty, but a0deploy replaces keywords in the raw text before it parses, so they do fill
   * the value — when the placeholder has a value.
   */
  unquotedPlaceholders: Array<{ name: string; location: Location }>;
  /** Where the node at `at` starts (its key with `part: 'key'`), or its nearest existing ancestor. */
  locate(at: YamlPath, part?: 'key' | 'value'): Location;
}

/**
 * Reads tenant.yaml; with `mappings`, as an environment fills its placeholders (a0deploy's replacement),
 * while every location still points at the file as written.
 */
export function readTenantFile(file: string, mappings?: KeywordMappings): TenantFile {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new ProjectError('tenant-unreadable', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'run the command from the project folder, or pass --tenant PATH',
      cause: error,
    });
  }
  if (!mappings) return parseTenantText(text, absolute);
  const replaced = replaceKeywordsMapped(text, mappings);
  return parseTenantText(replaced.text, absolute, { text, toOriginal: replaced.toOriginal });
}

/** Where the text parsed came from, when it is not the file's own text. */
interface Origin {
  text: string;
  toOriginal(offset: number): number;
}

export function parseTenantText(text: string, absolute: string, origin?: Origin): TenantFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const displayPath = path.relative(process.cwd(), absolute) || absolute;
  const originalLines = origin ? lineStarts(origin.text) : undefined;
  const at = (offset: number): Location => {
    if (origin && originalLines) return { file: displayPath, ...linePosition(originalLines, origin.toOriginal(offset)) };
    const { line, col } = lineCounter.linePos(offset);
    return { file: displayPath, line, col };
  };
  const syntaxErrors: SyntaxProblem[] = document.errors.map((error) => ({
    code: error.code,
    message: error.message.split('\n')[0] ?? error.message,
    location: at(error.pos[0]),
  }));
  let data: unknown = null;
  if (syntaxErrors.length === 0) {
    try {
      data = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      syntaxErrors.push({ code: 'ALIAS', message: (error as Error).message, location: at(0) });
    }
  }

  function locate(target: YamlPath, part: 'key' | 'value' = 'value'): Location {
    let node: unknown = document.contents;
    let best: number = (document.contents as Node | null)?.range?.[0] ?? 0;
    for (let i = 0; i < target.length; i++) {
      const segment = target[i];
      const last = i === target.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === segment);
        if (!pair) break;
        const keyNode = pair.key as Node;
        best = keyNode.range?.[0] ?? best;
        if (last && part === 'key') return at(best);
        node = pair.value;
        if (node && (node as Node).range) best = (node as Node).range![0];
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (!item) break;
        node = item;
        if ((item as Node).range) best = (item as Node).range![0];
      } else {
        break;
      }
    }
    return at(best);
  }

  const unquotedPlaceholders = commentTokens(text).flatMap((comment) => {
    const name = /^##([A-Za-z0-9_]+)##/.exec(comment.source)?.[1];
    return name ? [{ name, location: at(comment.offset) }] : [];
  });
  return { path: absolute, displayPath, dir: path.dirname(absolute), text, document, data, syntaxErrors, unquotedPlaceholders, locate };
}

/** Every comment of a YAML text, with where it starts (from the `yaml` package's concrete syntax tree). */
function commentTokens(text: string): Array<{ source: string; offset: number }> {
  const found: Array<{ source: string; offset: number }> = [];
  const walk = (token: unknown) => {
    if (Array.isArray(token)) {
      token.forEach(walk);
    } else if (typeof token === 'object' && token !== null) {
      const record = token as Record<string, unknown>;
      if (record.type === 'comment' && typeof record.source === 'string' && typeof record.offset === 'number') found.push({ source: record.source, offset: record.offset });
      else for (const value of Object.values(record)) if (typeof value === 'object') walk(value);
    }
  };
  for (const token of new Parser().parse(text)) walk(token);
  return found.sort((a, b) => a.offset - b.offset);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset, given where each line starts. */
function linePosition(starts: readonly number[], offset: number): { line: number; col: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, col: offset - (starts[low] ?? 0) + 1 };
}
