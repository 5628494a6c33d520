/**
 * Types of the post-login trigger, version v3, shaped like `@auth0/actions/post-login/v3`
 * (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger).
 * A team that can install the official package may import `Event` and `PostLoginAPI` from it instead.
 */
import type {
  CacheAPI,
  Client,
  Configuration,
  Connection,
  MetadataValue,
  Request as BaseRequest,
  Secrets,
  Tenant,
  Transaction as BaseTransaction,
} from './common';

export interface Identity {
  connection?: string;
  isSocial?: boolean;
  provider?: string;
  user_id?: string;
  profileData?: Record<string, unknown>;
}

export interface User {
  user_id: string;
  email?: string;
  email_verified: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  nickname?: string;
  picture?: string;
  username?: string;
  phone_number?: string;
  phone_verified?: boolean;
  created_at: string;
  updated_at: string;
  last_password_reset?: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  identities: Identity[];
  multifactor?: string[];
  enrolledFactors?: Array<{ type: string; options?: Record<string, unknown> }>;
}

export interface AuthenticationMethod {
  /** `federated`, `pwd`, `passkey`, `sms`, `email`, `phone_number`, `mfa`, or a URL. */
  name: string;
  timestamp: string;
}

export interface Request extends BaseRequest {
  asn?: string;
  query: Record<string, unknown>;
}

export interface Transaction extends BaseTransaction {
  id?: string;
  metadata: Record<string, string>;
}

export interface Organization {
  id: string;
  name: string;
  display_name: string;
  metadata: Record<string, string>;
}

export interface Event {
  user: User;
  connection: Connection;
  stats: { logins_count: number };
  authentication?: { methods: AuthenticationMethod[]; riskAssessment?: Record<string, unknown> };
  authorization?: { roles: string[] };
  client: Client & { refresh_token?: Record<string, unknown> };
  organization?: Organization;
  request: Request;
  transaction?: Transaction;
  tenant: Tenant;
  secrets: Secrets;
  configuration?: Configuration;
  session?: { id: string; [key: string]: unknown };
  refresh_token?: Record<string, unknown>;
  resource_server?: { identifier: string };
  prompt?: { id: string; [key: string]: unknown };
  custom_domain?: { domain: string; domain_metadata?: Record<string, string> };
  security_context?: { ja3?: string; ja4?: string };
}

export interface PostLoginAPI {
  access: {
    /** Ends the flow; `reason` may be shown to the end user. Metadata writes still persist. */
    deny(reason: string): PostLoginAPI;
  };
  accessToken: {
    setCustomClaim(name: string, value: unknown): PostLoginAPI;
    addScope(scope: string): PostLoginAPI;
    removeScope(scope: string): PostLoginAPI;
  };
  idToken: {
    setCustomClaim(name: string, value: unknown): PostLoginAPI;
  };
  user: {
    setAppMetadata(key: string, value: MetadataValue): PostLoginAPI;
    setUserMetadata(key: string, value: MetadataValue): PostLoginAPI;
  };
  cache: CacheAPI;
  validation: {
    error(code: string, message: string): PostLoginAPI;
  };
  multifactor: {
    enable(provider: string, options?: Record<string, unknown>): PostLoginAPI;
  };
  redirect: {
    /** Whether this transaction can send the user elsewhere (not a token-endpoint grant, a refresh or prompt=none). */
    canRedirect(): boolean;
    sendUserTo(url: string, options?: { query?: Record<string, string> }): PostLoginAPI;
    encodeToken(options: { expiresInSeconds?: number; payload: Record<string, unknown>; secret: string }): string;
    validateToken(options: { tokenParameterName?: string; secret: string }): Record<string, unknown>;
  };
  transaction: {
    /** Updates `event.transaction.metadata` at once, for this and later Actions of the transaction. */
    setMetadata(key: string, value: string | number | boolean | null): void;
  };
  authentication: {
    challengeWith(factor: FactorSelector, options?: { additionalFactors?: FactorSelector[] }): void;
    challengeWithAny(factors: FactorSelector[]): void;
    enrollWith(factor: FactorSelector, options?: { additionalFactors?: FactorSelector[] }): void;
    enrollWithAny(factors: FactorSelector[]): void;
    /** Only in `onContinuePostLogin`: a custom method (an http(s) URL) the user completed. */
    recordMethod(providerUrl: string): PostLoginAPI;
    /** Tokens are issued for this user, who must have the identity that logged in among its secondary identities. */
    setPrimaryUser(primaryUserId: string): void;
  };
  session: {
    revoke(reason: string, options?: { preserveRefreshTokens?: boolean }): void;
    setExpiresAt(absolute: number): void;
    setIdleExpiresAt(inactivity: number): void;
    setCookieMode(mode: 'persistent' | 'non-persistent'): void;
    setMetadata(key: string, value: string | null): void;
    deleteMetadata(key: string): void;
    evictMetadata(): void;
  };
  refreshToken: {
    revoke(reason: string): void;
    setExpiresAt(absolute: number): void;
    setIdleExpiresAt(inactivity: number): void;
    setMetadata(key: string, value: string | null): void;
    deleteMetadata(key: string): void;
    evictMetadata(): void;
  };
  samlResponse: SamlResponseAPI;
  prompt: {
    render(promptId: string, options?: { fields?: Record<string, unknown>; vars?: Record<string, unknown> }): void;
  };
  rules: {
    wasExecuted(ruleId: string): boolean;
  };
}

/** A second factor, as `api.authentication` names it. */
export interface FactorSelector {
  type: 'otp' | 'email' | 'phone' | 'push' | 'push-notification' | 'webauthn-platform' | 'webauthn-roaming' | 'recovery-code';
  options?: Record<string, unknown>;
}

export type SamlAttributeValue = string | number | boolean | null | Array<string | number | boolean>;

/** `api.samlResponse`: settings of the SAML response a SAML application receives (recorded; the local tenant issues none). */
export interface SamlResponseAPI {
  setAttribute(attribute: string, value: SamlAttributeValue): void;
  setAudience(audience: string): void;
  setRecipient(recipient: string): void;
  setCreateUpnClaim(createUpnClaim: boolean): void;
  setPassthroughClaimsWithNoMapping(passthrough: boolean): void;
  setMapUnknownClaimsAsIs(mapUnknownClaimsAsIs: boolean): void;
  setMapIdentities(mapIdentities: boolean): void;
  setSignatureAlgorithm(algorithm: 'rsa-sha256' | 'rsa-sha1'): void;
  setDigestAlgorithm(algorithm: 'sha256' | 'sha1'): void;
  setDestination(destination: string): void;
  setLifetimeInSeconds(lifetimeInSeconds: number): void;
  setSignResponse(signResponse: boolean): void;
  setNameIdentifierFormat(format: string): void;
  setNameIdentifierProbes(probes: string[]): void;
  setAuthnContextClassRef(classRef: string): void;
  setSigningCert(cert: string): void;
  setIncludeAttributeNameFormat(include: boolean): void;
  setTypedAttributes(typed: boolean): void;
  setEncryptionCert(cert: string): void;
  setEncryptionPublicKey(key: string): void;
  setCert(cert: string): void;
  setKey(key: string): void;
  setRelayState(relayState: string): void;
  setIssuer(issuer: string): void;
  setEncryptionAlgorithm(algorithm: 'aes256-gcm' | 'aes256-cbc'): void;
}

export type PostLoginAction = (event: Event, api: PostLoginAPI) => Promise<void> | void;
