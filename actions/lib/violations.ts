/**
 * The checks both Actions run over a profile: required attributes, value rules, allowed sources.
 * Each violation carries a stable code (`<attribute>.<rule>`) and a message fit for the end user;
 * never the value.
 */
import { ATTRIBUTE_LABELS, isRootAttribute, ROOT_ATTRIBUTES, type RecordedSource, type RootAttribute } from './attributes';
import type { CompiledConnection, CompiledPolicy, Trigger } from './compile-policy';
import { isAuth0Default } from './auth0-defaults';
import { ruleMessage } from './value-rules';

export type TrackedValues = { [A in RootAttribute]?: string };

export interface Violation {
  code: string;
  attribute: RootAttribute;
  message: string;
}

/** The tracked attributes of a user object, as strings. Anything else (missing, wrong type) counts as absent. */
/** The user's e-mail, when the user object has one (for Auth0's defaults). */
export function emailOf(user: unknown): string | undefined {
  const email = typeof user === 'object' && user !== null ? (user as { email?: unknown }).email : undefined;
  return typeof email === 'string' ? email : undefined;
}

export function trackedValues(user: unknown): TrackedValues {
  if (typeof user !== 'object' || user === null) return {};
  const { name, given_name, family_name, nickname, picture } = user as Record<string, unknown>;
  return {
    name: typeof name === 'string' ? name : undefined,
    given_name: typeof given_name === 'string' ? given_name : undefined,
    family_name: typeof family_name === 'string' ? family_name : undefined,
    nickname: typeof nickname === 'string' ? nickname : undefined,
    picture: typeof picture === 'string' ? picture : undefined,
  };
}

const requiredMessage = (label: string) => `Please provide your ${label}.`;

export function requiredViolations(connection: CompiledConnection, values: TrackedValues): Violation[] {
  const found: Violation[] = [];
  for (const attribute of ROOT_ATTRIBUTES) {
    if (!connection.attributes[attribute].required || values[attribute] !== undefined) continue;
    found.push({
      code: `${attribute}.required`,
      attribute,
      message: requiredMessage(ATTRIBUTE_LABELS[attribute]),
    });
  }
  return found;
}

/**
 * The value rules each present attribute breaks. With the user's e-mail, a value that is exactly Auth0's
 * default for that user (name = the address, nickname = its local part, the Gravatar picture) breaks none.
 */
export function valueViolations(compiled: CompiledPolicy, values: TrackedValues, email?: string): Violation[] {
  const found: Violation[] = [];
  for (const attribute of ROOT_ATTRIBUTES) {
    const value = values[attribute];
    if (value === undefined) continue;
    const broken = compiled.values[attribute](value);
    // Only a value that breaks a rule needs the (dearer) look at whether Auth0 gave it.
    if (broken.length === 0 || (email !== undefined && isAuth0Default(attribute, value, email))) continue;
    for (const { code, message } of broken) found.push({ code, attribute, message });
  }
  return found;
}

const SOURCE_MESSAGES: Record<Trigger, (label: string) => string> = {
  signup: (label) => `Your ${label} can't be set when you sign up.`,
  login: (label) => `Your ${label} was changed in a way this application doesn't accept.`,
};

export function sourceViolations(
  connection: CompiledConnection,
  sources: { [A in RootAttribute]?: RecordedSource },
  trigger: Trigger,
): Violation[] {
  const found: Violation[] = [];
  for (const attribute of ROOT_ATTRIBUTES) {
    const source = sources[attribute];
    if (source === undefined || connection.attributes[attribute].sources.has(source)) continue;
    found.push({
      code: `${attribute}.source-not-allowed`,
      attribute,
      message: SOURCE_MESSAGES[trigger](ATTRIBUTE_LABELS[attribute]),
    });
  }
  return found;
}

/** The end user's message for a stored violation code (the record keeps codes, not messages). */
export function messageFor(compiled: CompiledPolicy, code: string, trigger: Trigger): string {
  const dot = code.indexOf('.');
  const attribute = code.slice(0, dot);
  const rule = code.slice(dot + 1);
  if (!isRootAttribute(attribute)) return 'Your profile isn\'t accepted here.';
  const label = ATTRIBUTE_LABELS[attribute];
  if (rule === 'required') return requiredMessage(label);
  if (rule === 'source-not-allowed') return SOURCE_MESSAGES[trigger](label);
  return ruleMessage(compiled.policy.values, attribute, rule) ?? `Your ${label} isn't accepted here.`;
}
