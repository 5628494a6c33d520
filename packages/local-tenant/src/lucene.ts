/**
 * The Lucene query syntax Auth0's searches take (`q=`), for users and for logs: terms and "exact phrases",
 * `field:value`, AND / OR / NOT (also `-term`), parentheses, `*` and `?` wildcards, ranges `[a TO b]` and
 * `{a TO b}` (`*` for open ends), and `_exists_:field`. Each search says which fields it knows, which
 * match case-insensitively and what a term without a field looks at.
 * https://auth0.com/docs/manage-users/user-search/user-search-query-syntax ; https://auth0.com/docs/logs/query-syntax
 */
import { badRequest } from './http';

type Value =
  | { kind: 'word'; text: string; wildcard: boolean }
  | { kind: 'phrase'; text: string }
  | { kind: 'range'; low: string; high: string; includeLow: boolean; includeHigh: boolean };

export type Query =
  | { kind: 'and' | 'or'; parts: Query[] }
  | { kind: 'not'; part: Query }
  | { kind: 'term'; field: string | undefined; value: Value }
  | { kind: 'exists'; field: string };

const MAX_QUERY = 2_000;
const MAX_DEPTH = 20;

/** What one search knows of its records. */
export interface SearchFields {
  /** Whether a query may name this field. */
  searchable(field: string): boolean;
  /** Fields that take no wildcard or range (Auth0: metadata). */
  exactOnly?(field: string): boolean;
  /** Fields that match case-insensitively. */
  folded(field: string): boolean;
  /** What a term without a field looks at. */
  defaults: readonly string[];
  /** The values a field has in a record; a dotted path through objects (arrays looked through) by default. */
  valuesAt?(record: object, field: string): unknown[];
}
const SPECIAL = new Set(['(', ')', '"', ':', '[', ']', '{', '}', ' ', '\t', '\n', '\r']);

function invalid(detail: string): never {
  throw badRequest(`Query validation error: ${detail}`, 'invalid_query_string');
}

class Parser {
  private position = 0;
  constructor(private readonly text: string) {}

  parse(): Query {
    const query = this.or(0);
    this.space();
    if (this.position < this.text.length) invalid(`unexpected "${this.text[this.position]}" at character ${this.position + 1}`);
    return query;
  }

  private space(): void {
    while (/\s/.test(this.text[this.position] ?? '')) this.position++;
  }

  private keyword(...words: string[]): boolean {
    this.space();
    for (const word of words) {
      const end = this.position + word.length;
      const boundary = /^[A-Z]+$/.test(word) ? !/[^\s()]/.test(this.text[end] ?? ' ') : true;
      if (this.text.startsWith(word, this.position) && boundary) {
        this.position = end;
        return true;
      }
    }
    return false;
  }

  private atEnd(): boolean {
    this.space();
    return this.position >= this.text.length || this.text[this.position] === ')';
  }

  private or(depth: number): Query {
    const parts = [this.and(depth)];
    while (this.keyword('OR', '||')) parts.push(this.and(depth));
    return parts.length === 1 ? (parts[0] as Query) : { kind: 'or', parts };
  }

  private and(depth: number): Query {
    const parts = [this.unary(depth)];
    for (;;) {
      if (this.keyword('AND', '&&')) {
        parts.push(this.unary(depth));
        continue;
      }
      const saved = this.position;
      if (this.atEnd() || this.keyword('OR', '||')) {
        this.position = saved;
        break;
      }
      // Terms side by side: Auth0 (Elasticsearch) joins them with OR.
      const next = this.unary(depth);
      const last = parts.pop() as Query;
      parts.push({ kind: 'or', parts: [last, next] });
    }
    return parts.length === 1 ? (parts[0] as Query) : { kind: 'and', parts };
  }

  private unary(depth: number): Query {
    if (depth > MAX_DEPTH) invalid('the query is nested too deeply');
    if (this.keyword('NOT', '-', '!')) return { kind: 'not', part: this.unary(depth + 1) };
    this.space();
    if (this.text[this.position] === '(') {
      this.position++;
      const inner = this.or(depth + 1);
      this.space();
      if (this.text[this.position] !== ')') invalid('a "(" is not closed');
      this.position++;
      return inner;
    }
    if (this.position >= this.text.length) invalid('the query ends where a term was expected');
    const first = this.value();
    this.space();
    if (this.text[this.position] !== ':' || first.kind !== 'word') return { kind: 'term', field: undefined, value: first };
    this.position++;
    const field = first.text;
    if (field === '_exists_') {
      const target = this.value();
      if (target.kind !== 'word' || target.wildcard) invalid('_exists_ takes a field name');
      return { kind: 'exists', field: target.text };
    }
    this.space();
    if (this.text[this.position] === '(') {
      // field:(a OR b): the field applies to each term inside.
      this.position++;
      const inner = this.or(depth + 1);
      this.space();
      if (this.text[this.position] !== ')') invalid('a "(" is not closed');
      this.position++;
      return withField(inner, field);
    }
    return { kind: 'term', field, value: this.value() };
  }

  private value(): Value {
    this.space();
    const char = this.text[this.position];
    if (char === '"') {
      const end = this.text.indexOf('"', this.position + 1);
      if (end < 0) invalid('a phrase is not closed with "');
      const text = this.text.slice(this.position + 1, end);
      this.position = end + 1;
      return { kind: 'phrase', text };
    }
    if (char === '[' || char === '{') {
      const close = this.text.slice(this.position).search(/[\]}]/);
      if (close < 0) invalid('a range is not closed');
      const body = this.text.slice(this.position + 1, this.position + close);
      const match = /^\s*(\S+)\s+TO\s+(\S+)\s*$/.exec(body);
      if (!match) invalid('a range is written [low TO high]');
      const includeHigh = this.text[this.position + close] === ']';
      this.position += close + 1;
      return { kind: 'range', low: match[1] as string, high: match[2] as string, includeLow: char === '[', includeHigh };
    }
    let text = '';
    let wildcard = false;
    while (this.position < this.text.length) {
      const next = this.text[this.position] as string;
      if (next === '\\' && this.position + 1 < this.text.length) {
        text += this.text[this.position + 1];
        this.position += 2;
        continue;
      }
      if (SPECIAL.has(next)) break;
      if (next === '*' || next === '?') wildcard = true;
      text += next;
      this.position++;
    }
    if (text === '') invalid(`a term was expected at character ${this.position + 1}`);
    return { kind: 'word', text, wildcard };
  }
}

function withField(query: Query, field: string): Query {
  if (query.kind === 'term') return query.field === undefined ? { ...query, field } : query;
  if (query.kind === 'not') return { kind: 'not', part: withField(query.part, field) };
  if (query.kind === 'exists') return query;
  return { kind: query.kind, parts: query.parts.map((part) => withField(part, field)) };
}

function checkFields(fields: SearchFields, query: Query): void {
  if ('parts' in query) {
    for (const part of query.parts) checkFields(fields, part);
    return;
  }
  if (query.kind === 'not') {
    checkFields(fields, query.part);
    return;
  }
  const field = query.field;
  if (field === undefined) return;
  if (!fields.searchable(field)) invalid(`"${field.slice(0, 64)}" is not a searchable field`);
  if (fields.exactOnly?.(field) && query.kind === 'term' && (query.value.kind === 'range' || (query.value.kind === 'word' && query.value.wildcard))) {
    invalid(`range and wildcard searches are not available on ${field.split('.')[0] ?? field} fields`);
  }
}

/** Parses `q`, refusing (400 invalid_query_string) bad syntax and fields the search does not know. */
export function parseQuery(fields: SearchFields, text: string): Query {
  if (text.length > MAX_QUERY) invalid(`the query is longer than ${MAX_QUERY} characters`);
  const query = new Parser(text).parse();
  checkFields(fields, query);
  return query;
}

/** The scalar values a dotted field path reaches in a record (arrays are looked through, as Auth0 does). */
export function pathValues(record: object, field: string): unknown[] {
  let current: unknown[] = [record];
  for (const key of field.split('.')) {
    current = current.flatMap((item) => (Array.isArray(item) ? item : [item])).flatMap((item) => {
      if (typeof item !== 'object' || item === null || !Object.prototype.hasOwnProperty.call(item, key)) return [];
      return [(item as Record<string, unknown>)[key]];
    });
  }
  return current.flatMap((item) => (Array.isArray(item) ? item : [item])).filter((item) => item !== null && item !== undefined && typeof item !== 'object');
}

/** Whether `text` matches a `*`/`?` pattern: the greedy two-pointer walk, O(text × pattern) at worst. */
function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function compare(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function matchesValue(stored: unknown, value: Value, fold: boolean): boolean {
  const text = String(stored);
  const norm = (input: string) => (fold ? input.toLowerCase() : input);
  if (value.kind === 'phrase') return norm(text) === norm(value.text) || (!fold && typeof stored !== 'string' && text === value.text);
  if (value.kind === 'range') {
    const aboveLow = value.low === '*' || (value.includeLow ? compare(text, value.low) >= 0 : compare(text, value.low) > 0);
    const belowHigh = value.high === '*' || (value.includeHigh ? compare(text, value.high) <= 0 : compare(text, value.high) < 0);
    return aboveLow && belowHigh;
  }
  // A word matches the whole value or one of its words (the value as Auth0's analyzer splits it).
  const candidates = [text, ...text.split(/[\s,;]+/)];
  if (value.wildcard) return candidates.some((candidate) => globMatches(norm(value.text), norm(candidate)));
  return candidates.some((candidate) => norm(candidate) === norm(value.text));
}

const valuesOf = (fields: SearchFields, record: object, field: string) => (fields.valuesAt ?? pathValues)(record, field);

function matchesTerm(fields: SearchFields, record: object, field: string | undefined, value: Value): boolean {
  if (field === undefined) return fields.defaults.some((name) => matchesTerm(fields, record, name, value));
  const fold = fields.folded(field);
  return valuesOf(fields, record, field).some((stored) => matchesValue(stored, value, fold));
}

/** Whether a record matches a parsed query. */
export function matches(fields: SearchFields, query: Query, record: object): boolean {
  switch (query.kind) {
    case 'and':
      return query.parts.every((part) => matches(fields, part, record));
    case 'or':
      return query.parts.some((part) => matches(fields, part, record));
    case 'not':
      return !matches(fields, query.part, record);
    case 'exists':
      return valuesOf(fields, record, query.field).length > 0;
    case 'term':
      return matchesTerm(fields, record, query.field, query.value);
  }
}
