/**
 * a0deploy's keyword replacement, reproduced so the plan compares what a0deploy will actually send:
 * `@@KEY@@` (with any quotes around it) becomes JSON.stringify(value), then `##KEY##` becomes the value
 * as it is — in tenant.yaml's raw text and in every file it loads (action code, email templates).
 */
const ARRAY_KEYWORD = /(['"]?)@@([A-Za-z0-9_]+)@@\1/g;
const STRING_KEYWORD = /##([A-Za-z0-9_]+)##/g;

/** A placeholder's value: a string for `##KEY##`; any JSON value for `@@KEY@@`. */
export type KeywordValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };
export type KeywordMappings = Readonly<Record<string, KeywordValue>>;

/**
 * Auth0's own macros, which look like placeholders but are Auth0's to fill: `@@password@@` is the code in an
 * SMS connection's `template` (node-auth0's ConnectionTemplateSms). a0deploy replaces only the names it has a
 * mapping for, so these reach Auth0 as written.
 */
const AUTH0_MACROS: ReadonlySet<string> = new Set(['password']);

/** The placeholder names a text uses, in order of first use. */
export function placeholders(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(ARRAY_KEYWORD)) if (!AUTH0_MACROS.has(match[2] ?? '')) names.add(match[2] ?? '');
  for (const match of text.matchAll(STRING_KEYWORD)) names.add(match[1] ?? '');
  return [...names].filter((name) => name !== '');
}

/** The placeholder names used in a document's values (not its comments), each with the paths that use it. */
export function placeholderUses(data: unknown): Map<string, Array<Array<string | number>>> {
  const uses = new Map<string, Array<Array<string | number>>>();
  const walk = (value: unknown, at: Array<string | number>) => {
    if (typeof value === 'string') {
      for (const name of placeholders(value)) uses.set(name, [...(uses.get(name) ?? []), at]);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...at, i]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, [...at, key]);
    }
  };
  walk(data, []);
  return uses;
}

const asString = (value: KeywordValue | undefined) => (typeof value === 'string' ? value : String(value));

export function replaceKeywords(text: string, mappings: KeywordMappings): string {
  return replaceKeywordsMapped(text, mappings).text;
}

interface Span {
  /** Where the placeholder was in the input, and where its value is in the output. */
  from: number;
  fromEnd: number;
  to: number;
  toEnd: number;
}

function replaceTracked(text: string, pattern: RegExp, value: (match: RegExpExecArray) => string | undefined): { text: string; spans: Span[] } {
  const spans: Span[] = [];
  let out = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const replacement = value(match as RegExpExecArray);
    if (replacement === undefined) continue;
    out += text.slice(last, match.index);
    spans.push({ from: match.index, fromEnd: match.index + match[0].length, to: out.length, toEnd: out.length + replacement.length });
    out += replacement;
    last = match.index + match[0].length;
  }
  return { text: out + text.slice(last), spans };
}

/** Maps an offset of the output back into the input: a place inside a value maps to its placeholder's start. */
function back(spans: readonly Span[], offset: number): number {
  let shift = 0;
  for (const span of spans) {
    if (offset < span.to) break;
    if (offset < span.toEnd) return span.from;
    shift = span.fromEnd - span.toEnd;
  }
  return offset + shift;
}

/**
 * Replaces the placeholders that have a mapping, as a0deploy does, and says where each offset of the
 * result came from in the text given: findings in the result can then point at the file as written.
 */
export function replaceKeywordsMapped(text: string, mappings: KeywordMappings): { text: string; toOriginal(offset: number): number } {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(mappings, key);
  const first = replaceTracked(text, ARRAY_KEYWORD, (match) => (has(match[2] ?? '') ? JSON.stringify(mappings[match[2] ?? '']) : undefined));
  const second = replaceTracked(first.text, STRING_KEYWORD, (match) => (has(match[1] ?? '') ? asString(mappings[match[1] ?? '']) : undefined));
  return { text: second.text, toOriginal: (offset) => back(first.spans, back(second.spans, offset)) };
}
