/**
 * What each value rule checks, for the person reading a finding or the docs. Kept apart from the rules
 * so the Action bundles do not carry it; typed by rule id, so a rule without a description fails to compile.
 */
import type { PictureRuleId, TextRuleId } from './value-rules';

export const RULE_DESCRIPTIONS: { text: Record<TextRuleId, string>; picture: Record<PictureRuleId, string> } = {
  text: {
    'length': 'Length within the limits Auth0 enforces (names 1–150 characters, nickname 1–350) or the policy sets.',
    'blank': 'Not only white space.',
    'control-characters': 'No control characters, line breaks or broken surrogate pairs.',
    'zero-width': 'No invisible characters (zero-width space, word joiner, BOM, fillers); ZWNJ and ZWJ only inside scripts that spell with them.',
    'bidi-controls': 'No bidirectional overrides, embeddings, isolates or marks (used to disguise text).',
    'not-nfc': 'Unicode normalization form C, so that equal names compare equal.',
    'web-address': 'No web address: URL schemes, www., host names with a known top-level domain, IP addresses.',
    'email-address': 'No e-mail address.',
    'markup': 'No markup: angle brackets, character references, template or script injection.',
  },
  picture: {
    'length': 'At most the policy\'s maximum length (2048 characters by default).',
    'control-characters': 'No control characters or white space, which URL parsers silently drop.',
    'malformed': 'A well-formed absolute URL.',
    'https': 'Served over https.',
    'userinfo': 'No user name or password in the URL.',
    'ip-host': 'A host name, not an IP address.',
    'host-not-allowed': 'On a host in the policy\'s allow-list (`*.` wildcards match subdomains).',
  },
};
