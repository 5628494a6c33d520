/** Recognising secrets and the placeholders that stand for them. */

/** A value a0deploy's keyword replacement fills in: `##KEY##` (string) or `@@KEY@@` (JSON). */
export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && /^(?:##[A-Za-z0-9_]+##|@@[A-Za-z0-9_]+@@)$/.test(value);
}

const SECRET_KEY = /secret|password|passphrase|private_?key|api_?key|signing_?key|access_token/i;

/** Keys of an options mapping that hold secrets and have a string value. */
export function secretLikeKeys(options: Record<string, unknown>): string[] {
  return Object.keys(options).filter((key) => SECRET_KEY.test(key) && typeof options[key] === 'string');
}
