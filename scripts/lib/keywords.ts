/**
 * a0deploy's keyword replacement, reproduced so the plan compares what a0deploy will actually send:
 * `@@KEY@@` (with any quotes around it) becomes JSON.stringify(value), then `##KEY##` becomes the value
 * as it is — in tenant.yaml's raw text and in every file it loads (action code, email templates).
 */
const ARRAY_KEYWORD = /(['"]?)@@([A-Za-z0-9_]+)@@\1/g;
const STRING_KEYWORD = /##([A-Za-z0-9_]+)##/g;

/** The placeholder names a text uses, in order of first use. */
export function placeholders(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(ARRAY_KEYWORD)) names.add(match[2] ?? '');
  for (const match of text.matchAll(STRING_KEYWORD)) names.add(match[1] ?? '');
  return [...names].filter((name) => name !== '');
}

export function replaceKeywords(text: string, mappings: Readonly<Record<string, string>>): string {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(mappings, key);
  return text
    .replace(ARRAY_KEYWORD, (whole, _quote: string, key: string) => (has(key) ? JSON.stringify(mappings[key]) : whole))
    .replace(STRING_KEYWORD, (whole, key: string) => (has(key) ? (mappings[key] ?? '') : whole));
}
