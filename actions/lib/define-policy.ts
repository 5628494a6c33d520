/**
 * The sourcing policy's types. A team edits `actions/policy.ts`, written with {@link definePolicy}.
 */
import type { RecordedSource, RootAttribute } from './attributes';
import type { ConnectionKind, SyncMode } from './connection-kinds';
import type { PictureRuleId, TextRuleId } from './value-rules';

/** What a violation does: end the signup or login, record it in the token and the logs, or nothing. */
export type Enforcement = 'deny' | 'flag' | 'off';

/** What each kind of violation does at one trigger. */
export interface EnforcementModes {
  /** A required attribute is missing. */
  required: Enforcement;
  /** A value breaks one of its attribute's value rules. */
  values: Enforcement;
  /** A value came from a source the policy does not allow for that attribute on that connection. */
  sources: Enforcement;
}

/** Overrides of the enforcement modes, separately for signup (pre-user-registration) and login (post-login). */
export interface EnforcementOverride {
  signup?: Partial<EnforcementModes>;
  login?: Partial<EnforcementModes>;
}

/** Value rules of a text attribute (`name`, `given_name`, `family_name`, `nickname`). */
export interface TextRules {
  /** Length in characters (code points). Defaults to Auth0's limits: 1–150, nickname 1–350. */
  length?: { min: number; max: number };
  /** Rules switched off for this attribute, by id. */
  disable?: readonly TextRuleId[];
}

/** Value rules of `picture`. */
export interface PictureRules {
  /**
   * Hosts a picture may be served from. `*.example.com` matches every subdomain of example.com
   * (not example.com itself). An empty list allows no picture at all.
   */
  allowedHosts: readonly string[];
  /** Longest accepted URL, in characters. Defaults to 2048. */
  maxLength?: number;
  /** Rules switched off, by id. */
  disable?: readonly PictureRuleId[];
}

export interface ValueRules {
  name?: TextRules;
  given_name?: TextRules;
  family_name?: TextRules;
  nickname?: TextRules;
  picture?: PictureRules;
}

/** Per-attribute settings on one connection. */
export interface AttributePolicy {
  /** Sources that may set this attribute; replaces the connection's `sources` for it. */
  sources?: readonly RecordedSource[];
  /** Enforcement for this attribute only. */
  enforce?: EnforcementOverride;
}

/** What the policy says about one connection of tenant.yaml. */
export interface ConnectionPolicy {
  /**
   * The `options.set_user_root_attributes` this upstream connection must have in tenant.yaml.
   * Required for social, enterprise, legal-identity and custom-database-with-external-store connections.
   */
  sync?: SyncMode;
  /** Set when `never_on_login` is meant: the connection then no longer creates users at login. */
  acknowledgeNeverOnLogin?: boolean;
  /**
   * Sources that may set every tracked attribute of this connection's users. `signup` here is also
   * what lets public signup supply the attribute; `unknown` accepts users created before auditing began.
   */
  sources: readonly RecordedSource[];
  /** Attributes every user of this connection must have (checked at signup and at login). */
  required?: readonly RootAttribute[];
  /** Per-attribute exceptions. */
  attributes?: { readonly [A in RootAttribute]?: AttributePolicy };
  /** Enforcement for this connection. */
  enforce?: EnforcementOverride;
}

/** What the Actions do on a connection that tenant.yaml does not list. */
export type UnmanagedConnections = 'ignore' | 'record' | 'deny';

export interface Policy<C extends string = string> {
  /** Prefix of the ID-token claims, e.g. `https://example.com/`: `<namespace>root_attribute_sources`. */
  namespace: string;
  /** The `app_metadata` key holding the provenance record. No `.` or `$` (Auth0 rejects them). */
  metadataKey: string;
  /** Value rules per attribute. */
  values: ValueRules;
  /** Enforcement defaults; connections and attributes override them. */
  enforce: { signup: EnforcementModes; login: EnforcementModes };
  /** Kinds of strategies that no built-in list knows, e.g. `{ 'my-bank-id': 'legal-identity' }`. */
  strategies?: Readonly<Record<string, ConnectionKind>>;
  /** Connections that tenant.yaml lists but this policy does not, or logins through ones it never heard of. */
  unmanagedConnections: UnmanagedConnections;
  /** One entry per connection in tenant.yaml, by connection name. */
  connections: { readonly [K in C]: ConnectionPolicy };
  /**
   * When the project was adopted on this tenant (an ISO time; `npm run adopt` writes it). A user created before
   * it is one the tenant already had: post-login never takes their first login after it for a signup.
   */
  adoptedAt?: string;
}

/**
 * Declares the sourcing policy. It returns its argument unchanged; it exists so that TypeScript checks
 * attribute names, sources, sync modes and enforcement values, and keeps connection names as literals.
 */
export function definePolicy<const C extends string>(policy: Policy<C>): Policy<C> {
  return policy;
}
