/** Recognising secrets and the placeholders that stand for them. */

/** A value a0deploy's keyword replacement fills in: `##KEY##` (string) or `@@KEY@@` (JSON). */
export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && /^(?:##[A-Za-z0-9_]+##|@@[A-Za-z0-9_]+@@)$/.test(value);
}

/**
 * Which options of a connection hold a secret, by strategy, from Auth0's connection option schemas (not from
 * words in a key: `passwordPolicy: good` is a policy, `twilio_token` is a secret). A name ending in `.*`
 * means every value under it: a custom database's `configuration` holds the settings its scripts read,
 * API keys among them. A strategy not listed keeps the OAuth `client_secret` that almost all of them have.
 */
const CONNECTION_SECRETS: Readonly<Record<string, readonly string[]>> = {
  auth0: ['configuration.*'],
  sms: ['twilio_token'],
  email: [],
  apple: ['app_secret'],
  samlp: ['signingKey.key'],
  adfs: [],
  ad: [],
  ip: [],
  'google-oauth2': ['client_secret'],
  'google-apps': ['client_secret'],
  github: ['client_secret'],
  facebook: ['client_secret'],
  linkedin: ['client_secret'],
  windowslive: ['client_secret'],
  twitter: ['client_secret'],
  oauth2: ['client_secret'],
  oidc: ['client_secret'],
  okta: ['client_secret'],
  waad: ['client_secret'],
};
const DEFAULT_SECRETS = ['client_secret'];

/** The places under a connection's options that hold secrets, each as a path within `options`. */
export function secretOptionPaths(strategy: string, options: Record<string, unknown>): string[][] {
  const paths: string[][] = [];
  for (const entry of CONNECTION_SECRETS[strategy] ?? DEFAULT_SECRETS) {
    const parts = entry.split('.');
    const every = parts.at(-1) === '*';
    const fixed = every ? parts.slice(0, -1) : parts;
    let value: unknown = options;
    for (const part of fixed) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    if (every && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) if (typeof item === 'string') paths.push([...fixed, key]);
    } else if (!every && typeof value === 'string') {
      paths.push(fixed);
    }
  }
  return paths;
}

/** Whether a path within a connection's options holds a secret for its strategy. */
export function isSecretOption(strategy: string, path: readonly (string | number)[]): boolean {
  return (CONNECTION_SECRETS[strategy] ?? DEFAULT_SECRETS).some((entry) => {
    const parts = entry.split('.');
    return parts.length === path.length && parts.every((part, i) => part === '*' || part === String(path[i]));
  });
}
