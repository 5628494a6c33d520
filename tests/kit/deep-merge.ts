/** A deep partial: every property optional, nested objects too; `undefined` removes a property. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `overrides` into a copy of `base`: plain objects merge key by key, arrays and other values
 * replace, and a key set to `undefined` is removed (to build events that lack a field).
 */
export function deepMerge<T>(base: T, overrides: unknown): T {
  if (!isPlain(base) || !isPlain(overrides)) return (overrides === undefined ? base : overrides) as T;
  const merged: Record<string, unknown> = { ...base };
  for (const key of Object.keys(overrides)) {
    const value = overrides[key];
    if (value === undefined) delete merged[key];
    else {
      const next = isPlain(value) && isPlain(merged[key]) ? deepMerge(merged[key], value) : value;
      // defineProperty, not assignment: a `__proto__` key stays an own property, as JSON.parse makes it.
      Object.defineProperty(merged, key, { value: next, enumerable: true, writable: true, configurable: true });
    }
  }
  return merged as T;
}
