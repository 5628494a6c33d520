/**
 * Types of the pre-user-registration trigger, version v2, shaped like
 * `@auth0/actions/pre-user-registration/v2`
 * (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger).
 * It runs for database and passwordless signups, before the user exists; it cannot set root attributes.
 */
import type {
  CacheAPI,
  Client,
  Configuration,
  Connection,
  MetadataValue,
  Request,
  Secrets,
  Tenant,
  Transaction,
} from './common';

/** What the signup supplied. There is no `user_id`, `email_verified` or `identities` yet. */
export interface User {
  app_metadata?: Record<string, unknown>;
  email?: string;
  family_name?: string;
  given_name?: string;
  name?: string;
  nickname?: string;
  phone_number?: string;
  picture?: string;
  user_metadata?: Record<string, unknown>;
  username?: string;
}

export interface Event {
  user: User;
  connection: Connection;
  request: Request;
  client?: Client;
  transaction?: Transaction;
  tenant: Tenant;
  secrets: Secrets;
  configuration?: Configuration;
  authentication?: { riskAssessment?: { supplemental?: Record<string, unknown> } };
  custom_domain?: { domain: string; domain_metadata?: Record<string, string> };
  security_context?: { ja3?: string; ja4?: string };
}

export interface PreUserRegistrationAPI {
  access: {
    /** `reason` goes to the tenant logs; `userMessage` may be shown to the end user. */
    deny(reason: string, userMessage: string): PreUserRegistrationAPI;
  };
  user: {
    setAppMetadata(key: string, value: MetadataValue): PreUserRegistrationAPI;
    setUserMetadata(key: string, value: MetadataValue): PreUserRegistrationAPI;
  };
  validation: {
    error(code: string, message: string): PreUserRegistrationAPI;
  };
  cache: CacheAPI;
}

export type PreUserRegistrationAction = (event: Event, api: PreUserRegistrationAPI) => Promise<void> | void;
