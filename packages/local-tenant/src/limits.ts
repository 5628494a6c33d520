/**
 * Auth0's length limits on what a user is made of, checked at every edge that takes a profile (signup,
 * the identity-provider stand-in, the Management API, import jobs) before anything else runs — before an
 * Action sees the value. https://auth0.com/docs/manage-users/user-accounts/user-profiles/user-profile-structure
 * ("The length can be 1-150 characters" for name, given_name and family_name; 1-350 for nickname; usernames
 * up to 128; e-mail addresses up to 254). A picture's length is not documented: 2,048, a URL's usual cap.
 */
import { EMAIL_MAX_LENGTH } from './email';

export const ATTRIBUTE_MAX_LENGTH = {
  name: 150,
  given_name: 150,
  family_name: 150,
  nickname: 350,
  picture: 2048,
  username: 128,
  email: EMAIL_MAX_LENGTH,
  // E.164 allows 15 digits; 32 leaves room for the spaces and dashes people type.
  phone_number: 32,
} as const;

export type LimitedAttribute = keyof typeof ATTRIBUTE_MAX_LENGTH;

/** The id an identity provider gives a user (`sub`), and so the user id Auth0 makes of it: at most 255 characters. */
export const PROVIDER_USER_ID_MAX_LENGTH = 255;

/** Auth0's words for a string over its limit (its Management API's payload validation), naming the field, never the value. */
export const tooLong = (field: string, length: number, max: number) => `Payload validation error: String is too long (${length} chars), maximum ${max} (${field})`;

/** The first attribute of `fields` over its limit, with Auth0's message; undefined when every one fits. */
export function attributeOverLimit(fields: Record<string, unknown>, names: readonly LimitedAttribute[] = Object.keys(ATTRIBUTE_MAX_LENGTH) as LimitedAttribute[]): { field: LimitedAttribute; message: string } | undefined {
  for (const field of names) {
    const value = fields[field];
    const max = ATTRIBUTE_MAX_LENGTH[field];
    if (typeof value === 'string' && value.length > max) return { field, message: tooLong(field, value.length, max) };
  }
  return undefined;
}
