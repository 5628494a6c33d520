/**
 * An environment's changes to the policy (`policy:` in environments/NAME.yaml), applied once for the
 * build, the checker and the audit alike: mappings merge key by key, anything else (a list, a value)
 * replaces what the policy had. The bundles carry the result.
 */
import type { Policy } from '../../actions/lib/define-policy';

/** What an environment may change: everything but the claim namespace and the metadata key, which records depend on. */
export const OVERRIDABLE = ['values', 'enforce', 'unmanagedConnections', 'connections'] as const;

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function merge(base: unknown, override: unknown): unknown {
  if (!isMapping(base) || !isMapping(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const key of Object.keys(override)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    merged[key] = Object.prototype.hasOwnProperty.call(base, key) ? merge(base[key], override[key]) : override[key];
  }
  return merged;
}

export function withOverride<P extends Policy>(policy: P, override: unknown): P {
  if (!isMapping(override)) return policy;
  const allowed = Object.fromEntries(OVERRIDABLE.filter((key) => override[key] !== undefined).map((key) => [key, override[key]]));
  return merge(policy, allowed) as P;
}
