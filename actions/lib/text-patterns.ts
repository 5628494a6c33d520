/**
 * Patterns behind the text value rules. Names in every script must pass, so each pattern targets a
 * specific abuse (links, addresses, markup, invisible or direction-changing characters), never a script.
 */

/** C0/C1 controls, line and paragraph separators, lone surrogates. */
export const CONTROL = /[\p{Cc}\u2028\u2029\p{Cs}]/u;

/** Bidirectional formatting characters: embeddings, overrides, isolates, marks. Used to spoof text order. */
export const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** Invisible characters other than the two joiners: zero-width space, word joiner, BOM, fillers, soft hyphen. */
export const INVISIBLE = /[\u00AD\u115F\u1160\u180E\u200B\u2060-\u2064\u3164\uFEFF\uFFA0]/u;

/** Scripts whose spelling needs ZWNJ/ZWJ between letters (Persian, Urdu, the Indic scripts, Sinhala). */
const JOINING_LETTER =
  /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}]/u;
const JOINER = /[\u200C\u200D]/gu;

/** Whether the text holds a zero-width character that is not a joiner between letters of a joining script. */
export function hasStrayZeroWidth(text: string): boolean {
  if (INVISIBLE.test(text)) return true;
  if (!text.includes('\u200C') && !text.includes('\u200D')) return false;
  for (const match of text.matchAll(JOINER)) {
    const at = match.index;
    const before = text.slice(Math.max(0, at - 2), at);
    const after = text.slice(at + 1, at + 3);
    const lastBefore = Array.from(before).at(-1) ?? '';
    const firstAfter = Array.from(after)[0] ?? '';
    if (!JOINING_LETTER.test(lastBefore) && !/\p{M}/u.test(lastBefore)) return true;
    if (!JOINING_LETTER.test(firstAfter)) return true;
  }
  return false;
}

/** `scheme://`, `www.` */
const URL_PREFIX = /\b[a-z][a-z0-9+.-]{1,20}:\/\/|\bwww\d{0,3}[.\u3002\uFF0E\uFF61]/iu;

/**
 * A host name: labels joined by a dot (or an ideographic or full-width dot, which browsers accept too),
 * ending in a top-level domain from the list below. Not preceded by `@` (that is an e-mail address).
 */
const HOST =
  /(?<![\p{L}\p{N}@_.\u3002\uFF0E\uFF61-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?[.\u3002\uFF0E\uFF61])+([a-z]{2,24}|xn--[a-z0-9-]{1,59})(?![\p{L}\p{N}-]|[.\u3002\uFF0E\uFF61][\p{L}\p{N}])/giu;

/** Generic TLDs seen in real links and spam, and every two-letter country code TLD. */
const TLDS = new Set(
  (
    'com net org info biz edu gov mil int io co app dev xyz online site top club shop store live tech ' +
    'pro me tv cc ws mobi name link click win vip fun icu buzz work space website email life world today ' +
    'news blog cloud digital agency media group network solutions services support page one ai gg ly to ' +
    'su bet casino poker loan loans money cash finance crypto porn sex xxx adult dating date sexy cam chat ' +
    'social lol wtf rocks ninja guru zone plus best cool run host press tokyo london berlin nyc asia ' +
    'ac ad ae af ag al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz ' +
    'ca cd cf cg ch ci ck cl cm cn cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm ' +
    'fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in iq ir is ' +
    'it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ma mc md mg mh mk ml mm ' +
    'mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm ' +
    'pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st sv sx sy sz tc td ' +
    'tf tg th tj tk tl tm tn tr tt tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ye yt za zm zw'
  ).split(' '),
);

/** Dotted IPv4 addresses. */
const IPV4 = /(?<![\p{N}.])\d{1,3}(?:\.\d{1,3}){3}(?![\p{N}])/u;

/** A dot with a letter or digit after it: without one there is no host name to look for. */
const DOT_THEN_LABEL = /[.\u3002\uFF0E\uFF61][\p{L}\p{N}]/u;

/**
 * Schemes written without `//` (`data:`, `javascript:`, `mailto:`…): the scheme with anything but a space
 * right after its colon is an address. A name with a colon ("Re:Smith", "Dr.: Jones") names no scheme here.
 */
const OPAQUE_SCHEME = /\b(?:data|javascript|vbscript|mailto|file|ftp|tel|sms|blob|view-source|intent|magnet|bitcoin|xmpp|sip|skype|whatsapp|tg)\s*:\S/iu;

/** Any other `scheme:` followed, without a space, by text only an address has (a slash, @, %, ?, =, #, &, ; or parentheses). */
const SCHEME_WITH_ADDRESS = /\b[a-z][a-z0-9+.-]{1,31}:[^\s]*[/@%?=#&;()]/iu;

export function hasWebAddress(text: string): boolean {
  if (!DOT_THEN_LABEL.test(text) && !text.includes(':')) return false;
  if (URL_PREFIX.test(text) || IPV4.test(text)) return true;
  if (text.includes(':') && (OPAQUE_SCHEME.test(text) || SCHEME_WITH_ADDRESS.test(text))) return true;
  for (const match of text.matchAll(HOST)) {
    const tld = (match[1] ?? '').toLowerCase();
    if (tld.startsWith('xn--') || TLDS.has(tld)) return true;
  }
  return false;
}

const EMAIL_LOCAL_CHAR = /[\p{L}\p{N}._%+-]/u;
/** What follows the `@` of an address: labels joined by dots, matched from one position only (sticky). */
const EMAIL_DOMAIN = /[\p{L}\p{N}-]+(?:[.\u3002\uFF0E\uFF61][\p{L}\p{N}-]+)+/uy;

/**
 * An address is a local-part character, an `@` and a dotted domain. Looked for at each `@` rather than with
 * one pattern over the text: `[local]+@domain` retried from every position costs the square of the length on
 * `aaaa…@` (1.4 s at 32,000 characters); this costs the length.
 */
export function hasEmailAddress(text: string): boolean {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at === 0 || !EMAIL_LOCAL_CHAR.test(text[at - 1] ?? '')) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    if (EMAIL_DOMAIN.test(text)) return true;
  }
  return false;
}

/** Tags, character references, template and script injection. */
const MARKUP = /[<>]|&(?:#x?[0-9a-f]+|[a-z][a-z0-9]{1,31});|\{\{|\}\}|\$\{|\bjavascript\s*:/iu;

export function hasMarkup(text: string): boolean {
  return MARKUP.test(text);
}
