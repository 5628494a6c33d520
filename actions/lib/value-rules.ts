/**
 * Value rules: each a named check with a stable id (used in deny reasons, log lines, claims and
 * findings) and the message an end user sees; the description for the person reading a finding is in
 * rule-descriptions.ts, which the Actions do not carry.
 */
import { ATTRIBUTE_LABELS, type RootAttribute } from './attributes';
import type { PictureRules, TextRules, ValueRules } from './define-policy';
import { BIDI, CONTROL, hasEmailAddress, hasMarkup, hasStrayZeroWidth, hasWebAddress, INVISIBLE } from './text-patterns';

export const TEXT_RULE_IDS = [
  'length',
  'blank',
  'control-characters',
  'zero-width',
  'bidi-controls',
  'not-nfc',
  'web-address',
  'email-address',
  'markup',
] as const;
export type TextRuleId = (typeof TEXT_RULE_IDS)[number];

export const PICTURE_RULE_IDS = ['length', 'control-characters', 'malformed', 'https', 'userinfo', 'ip-host', 'host-not-allowed'] as const;
export type PictureRuleId = (typeof PICTURE_RULE_IDS)[number];

export type ValueRuleId = TextRuleId | PictureRuleId;

/**
 * Raised when what the rules accept changes: it is part of the policy fingerprint, so provenance records
 * checked under older rules are checked again at the next login and by the audit. 2: Auth0's defaults are
 * no violation; any `scheme:` with an address after it is a web address.
 */
export const VALUE_RULES_VERSION = 2;

interface Rule<Id extends string, Options, Parsed = undefined> {
  id: Id;
  /** The end user's message; `label` is how the attribute reads ("first name"). */
  message(label: string, options: Options): string;
  /** True when the value passes. `parsed` is what the checker parsed once for all rules (the URL). */
  test(value: string, options: Options, parsed: Parsed): boolean;
}

/** Auth0's limits for root attributes: names 1–150 characters, nickname 1–350. */
export const AUTH0_LENGTH_LIMITS: Record<RootAttribute, { min: number; max: number }> = {
  name: { min: 1, max: 150 },
  given_name: { min: 1, max: 150 },
  family_name: { min: 1, max: 150 },
  nickname: { min: 1, max: 350 },
  picture: { min: 1, max: 2048 },
};

interface TextOptions {
  length: { min: number; max: number };
}

function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

export const TEXT_RULES: ReadonlyArray<Rule<TextRuleId, TextOptions>> = [
  {
    id: 'length',
    message: (label, { length }) => `Your ${label} must be between ${length.min} and ${length.max} characters long.`,
    test: (value, { length }) => {
      if (value.length < length.min) return false;
      return value.length <= length.max || codePoints(value) <= length.max;
    },
  },
  {
    id: 'blank',
    message: (label) => `Your ${label} can't be blank.`,
    test: (value) => /\S/u.test(value),
  },
  {
    id: 'control-characters',
    message: (label) => `Your ${label} contains characters that can't be displayed.`,
    test: (value) => !CONTROL.test(value),
  },
  {
    id: 'zero-width',
    message: (label) => `Your ${label} contains invisible characters.`,
    test: (value) => !hasStrayZeroWidth(value),
  },
  {
    id: 'bidi-controls',
    message: (label) => `Your ${label} contains characters that change the direction of text.`,
    test: (value) => !BIDI.test(value),
  },
  {
    id: 'not-nfc',
    message: (label) => `Your ${label} uses an unusual character encoding. Please type it again.`,
    test: (value) => value.normalize('NFC') === value,
  },
  {
    id: 'web-address',
    message: (label) => `Your ${label} can't contain a web address.`,
    test: (value) => !hasWebAddress(value),
  },
  {
    id: 'email-address',
    message: (label) => `Your ${label} can't contain an email address.`,
    test: (value) => !hasEmailAddress(value),
  },
  {
    id: 'markup',
    message: (label) => `Your ${label} can't contain the characters < or > or code.`,
    test: (value) => !hasMarkup(value),
  },
];

interface PictureOptions {
  allowedHosts: readonly string[];
  maxLength: number;
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** `*.example.com` matches any subdomain of example.com; other entries match exactly. Case-insensitive. */
export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const lower = host.toLowerCase();
  return allowedHosts.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.startsWith('*.') ? lower.endsWith(pattern.slice(1)) && lower.length > pattern.length - 1 : lower === pattern;
  });
}

const IPV4_HOST = /^\d+(?:\.\d+){3}$/;

export const PICTURE_RULES: ReadonlyArray<Rule<PictureRuleId, PictureOptions, URL | null>> = [
  {
    id: 'length',
    message: (label) => `Your ${label} address is too long.`,
    test: (value, { maxLength }) => value.length >= 1 && value.length <= maxLength,
  },
  {
    id: 'control-characters',
    message: (label) => `Your ${label} address contains characters that aren't allowed.`,
    test: (value) => !/[\p{Cc}\p{Z}\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u.test(value),
  },
  {
    id: 'malformed',
    message: (label) => `Your ${label} must be a web address.`,
    test: (_value, _options, url) => url !== null,
  },
  {
    id: 'https',
    message: (label) => `Your ${label} must be an https address.`,
    test: (_value, _options, url) => !url || url.protocol === 'https:',
  },
  {
    id: 'userinfo',
    message: (label) => `Your ${label} address can't contain a user name or password.`,
    test: (_value, _options, url) => !url || (url.username === '' && url.password === ''),
  },
  {
    id: 'ip-host',
    message: (label) => `Your ${label} must be served from a named host, not an IP address.`,
    test: (_value, _options, url) => !url || (!url.hostname.startsWith('[') && !IPV4_HOST.test(url.hostname)),
  },
  {
    id: 'host-not-allowed',
    message: (label) => `Your ${label} must come from an approved image service.`,
    test: (_value, { allowedHosts }, url) => !url || hostAllowed(url.hostname, allowedHosts),
  },
];

/** One broken rule. `code` is `<attribute>.<rule>`, stable for logs, claims and tests. */
export interface ValueViolation {
  attribute: RootAttribute;
  rule: ValueRuleId;
  code: string;
  message: string;
}

/** A compiled checker for one attribute: returns every rule the value breaks, in rule order. */
export type ValueChecker = (value: string) => ValueViolation[];

function violation(attribute: RootAttribute, rule: ValueRuleId, message: string): ValueViolation {
  return { attribute, rule, code: `${attribute}.${rule}`, message };
}

/**
 * Letters and marks of any script, with spaces, apostrophes, hyphens, and dots that end a word ("Jr.",
 * "J. Smith"): nothing a rule rejects (a web address needs a dot followed by a letter or digit).
 */
const SIMPLE_NAME = /^[\p{L}\p{M}](?:[\p{L}\p{M} '\u2019-]|\.(?= |$))*$/u;
const NONE: ValueViolation[] = [];

function textOptions(attribute: Exclude<RootAttribute, 'picture'>, rules: TextRules | undefined): TextOptions {
  return { length: rules?.length ?? AUTH0_LENGTH_LIMITS[attribute] };
}

function pictureOptions(rules: PictureRules | undefined): PictureOptions {
  return { allowedHosts: rules?.allowedHosts ?? [], maxLength: rules?.maxLength ?? AUTH0_LENGTH_LIMITS.picture.max };
}

function textChecker(attribute: Exclude<RootAttribute, 'picture'>, rules: TextRules | undefined): ValueChecker {
  const options = textOptions(attribute, rules);
  const active = TEXT_RULES.filter((rule) => !rules?.disable?.includes(rule.id));
  const label = ATTRIBUTE_LABELS[attribute];
  return (value) => {
    // Most names are letters, marks, spaces, apostrophes and hyphens: no rule can fail on those.
    if (SIMPLE_NAME.test(value) && !INVISIBLE.test(value) && value.length >= options.length.min && value.length <= options.length.max && value.normalize('NFC') === value) return NONE;
    const found: ValueViolation[] = [];
    for (const rule of active) {
      if (rule.test(value, options, undefined)) continue;
      found.push(violation(attribute, rule.id, rule.message(label, options)));
      // Too long already: no other rule reads it (a value of any length costs no more than its limit).
      if (rule.id === 'length' && value.length > options.length.max) break;
    }
    return found;
  };
}

function pictureChecker(rules: PictureRules | undefined): ValueChecker {
  const options = pictureOptions(rules);
  const active = PICTURE_RULES.filter((rule) => !rules?.disable?.includes(rule.id));
  const label = ATTRIBUTE_LABELS.picture;
  return (value) => {
    const found: ValueViolation[] = [];
    const url = parseUrl(value);
    for (const rule of active) {
      if (rule.test(value, options, url)) continue;
      found.push(violation('picture', rule.id, rule.message(label, options)));
      if (rule.id === 'malformed') break; // the URL rules after it say nothing about an unparseable value
    }
    return found;
  };
}

/** Compiles the policy's value rules into one checker per attribute. */
export function compileValueRules(values: ValueRules): Record<RootAttribute, ValueChecker> {
  return {
    name: textChecker('name', values.name),
    given_name: textChecker('given_name', values.given_name),
    family_name: textChecker('family_name', values.family_name),
    nickname: textChecker('nickname', values.nickname),
    picture: pictureChecker(values.picture),
  };
}

/** The end user's message for a rule of an attribute (a stored violation keeps only its code). */
export function ruleMessage(values: ValueRules, attribute: RootAttribute, ruleId: string): string | undefined {
  const label = ATTRIBUTE_LABELS[attribute];
  if (attribute === 'picture') {
    return PICTURE_RULES.find((rule) => rule.id === ruleId)?.message(label, pictureOptions(values.picture));
  }
  return TEXT_RULES.find((rule) => rule.id === ruleId)?.message(label, textOptions(attribute, values[attribute]));
}
