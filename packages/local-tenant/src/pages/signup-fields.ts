/**
 * Which root attributes the hosted signup page asks for on a connection: those the deployed policy lets
 * signup supply there. The project's bundles carry their policy as data in their first lines
 * (`__rootAttributesPolicy={…}`, see scripts/lib/build-actions.ts); the page reads it from the deployed
 * pre-user-registration Actions. With no such policy deployed, it asks for a first and a last name, as
 * a customised Universal Login signup page commonly does.
 */
import type { StateStore } from '../state';

const TRACKED = ['name', 'given_name', 'family_name', 'nickname', 'picture'] as const;
const FALLBACK = ['given_name', 'family_name'];

interface ConnectionSources {
  sources?: unknown;
  attributes?: Record<string, { sources?: unknown } | undefined>;
}

/** The policy a deployed bundle carries, or undefined when the code carries none (or one that does not parse). */
function bundledPolicy(code: string): { connections?: Record<string, ConnectionSources> } | undefined {
  const marker = '__rootAttributesPolicy=';
  const start = code.indexOf(marker);
  if (start < 0 || start > 20_000) return undefined;
  const end = code.indexOf(';\n', start);
  try {
    return JSON.parse(code.slice(start + marker.length, end < 0 ? undefined : end)) as { connections?: Record<string, ConnectionSources> };
  } catch {
    return undefined;
  }
}

export function signupAttributes(store: StateStore, connection: string): string[] {
  for (const binding of store.state.bindings['pre-user-registration'] ?? []) {
    const action = store.state.actions.find((candidate) => candidate.id === binding.action_id);
    const policy = action?.deployed_version ? bundledPolicy(action.deployed_version.code) : undefined;
    const settings = policy?.connections?.[connection];
    if (!settings) continue;
    const allows = (sources: unknown) => Array.isArray(sources) && sources.includes('signup');
    return TRACKED.filter((attribute) => {
      const own = settings.attributes?.[attribute]?.sources;
      return own !== undefined ? allows(own) : allows(settings.sources);
    });
  }
  return FALLBACK;
}
