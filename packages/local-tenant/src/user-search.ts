/**
 * `GET /api/v2/users?q=…`: user search v3 over what the local tenant stores. The normalized fields (email,
 * name, given_name, family_name, nickname) match case-insensitively, every other field case-sensitively;
 * metadata paths (`app_metadata.plan`, arrays looked through) take no wildcard or range, and a term
 * without a field never looks into metadata — as Auth0 documents.
 * https://auth0.com/docs/manage-users/user-search/user-search-query-syntax
 */
import { matches, parseQuery, pathValues, type Query, type SearchFields } from './lucene';
import type { StoredUser } from './state';

/** The fields a query may name: what Auth0 indexes of what the local tenant stores (never a password hash). */
const SEARCHABLE = new Set([
  'user_id', 'email', 'email_verified', 'email.domain', 'name', 'given_name', 'family_name', 'nickname', 'picture', 'username',
  'phone_number', 'phone_verified', 'logins_count', 'created_at', 'updated_at', 'last_login', 'last_ip', 'blocked',
  'identities.connection', 'identities.provider', 'identities.user_id', 'identities.isSocial',
]);
const NORMALIZED = new Set(['email', 'email.domain', 'name', 'given_name', 'family_name', 'nickname']);
const isMetadata = (field: string) => /^(app_metadata|user_metadata)\.[^.]/.test(field);

const USER_FIELDS: SearchFields = {
  searchable: (field) => SEARCHABLE.has(field) || isMetadata(field),
  exactOnly: isMetadata,
  folded: (field) => NORMALIZED.has(field),
  defaults: ['user_id', 'email', 'name', 'given_name', 'family_name', 'nickname', 'username'],
  valuesAt: (record, field) => {
    const { email } = record as StoredUser;
    if (field === 'email.domain') return typeof email === 'string' ? [email.slice(email.lastIndexOf('@') + 1)] : [];
    return pathValues(record, field);
  },
};

export function parseUserQuery(text: string): Query {
  return parseQuery(USER_FIELDS, text);
}

export function matchesUser(query: Query, user: StoredUser): boolean {
  return matches(USER_FIELDS, query, user);
}
