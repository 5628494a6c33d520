/**
 * Public signup, `POST /dbconnections/signup`, for database connections: runs the pre-user-registration
 * bindings before the user exists, answers a denial with the Action's user message, and otherwise
 * creates the user with what signup supplied and what the Actions wrote.
 */
import { randomBytes } from 'node:crypto';
import type { Reply, Route } from '../http';
import type { StoredUser } from '../state';
import { auth0Defaults, failureDescription, userByEmail, findClient, findConnection, hashPassword, mergeMetadata, newUser, preRegistrationEvent, runTrigger, tenantKind, type LoginContext } from '../login';
import { isEmailAddress } from '../email';
import { recordLog } from '../logs';
import { checkSignupMetadata } from './metadata';
import { attributeOverLimit } from '../limits';
import { SUSPICIOUS_MESSAGE, takeSignupAttempt } from '../throttle';

/** Signup errors have their own shape: `{ name, code, description, statusCode }`. */
const signupError = (status: number, name: string, code: string, description: string): Reply => ({ status, body: { name, code, description, statusCode: status } });

export const ROOT_FIELDS = ['given_name', 'family_name', 'name', 'nickname', 'picture', 'username', 'phone_number'] as const;

function minimumLength(options: Record<string, unknown>): number {
  const complexity = (options.password_options as { complexity?: { min_length?: unknown } } | undefined)?.complexity;
  return typeof complexity?.min_length === 'number' ? complexity.min_length : 8;
}

export interface SignupRefusal {
  status: number;
  name: string;
  code: string;
  description: string;
  /** The form field the refusal is about, when it is about one. */
  field?: 'email' | 'password' | typeof ROOT_FIELDS[number];
  /** What the tenant log says (an Action's deny reason, not its user message). */
  logged?: string;
}

export type SignupOutcome = { ok: true; user: StoredUser } | { ok: false; refusal: SignupRefusal };

const withLogged = (outcome: SignupOutcome, logged: string): SignupOutcome => (outcome.ok ? outcome : { ok: false, refusal: { ...outcome.refusal, logged } });

const refuse = (status: number, name: string, code: string, description: string, field?: SignupRefusal['field']): SignupOutcome => ({ ok: false, refusal: { status, name, code, description, ...(field ? { field } : {}) } });

/**
 * A public signup to a database connection, from `/dbconnections/signup` or the hosted signup page:
 * pre-user-registration runs before the user exists; a denial refuses with the Action's user message.
 */
export async function signUp(context: LoginContext, fields: Record<string, unknown>, headers: Record<string, string | string[] | undefined>, ip: string): Promise<SignupOutcome> {
  const outcome = await attemptSignUp(context, fields, headers, ip);
  const client = findClient(context.store, fields.client_id);
  const connection = findConnection(context.store, fields.connection);
  const logContext = { client, connection, headers };
  if (outcome.ok) recordLog(context.store, 'ss', { ...logContext, user: outcome.user });
  else recordLog(context.store, 'fs', logContext, outcome.refusal.logged ?? outcome.refusal.description);
  return outcome;
}

async function attemptSignUp(context: LoginContext, fields: Record<string, unknown>, headers: Record<string, string | string[] | undefined>, ip: string): Promise<SignupOutcome> {
  const { store } = context;
  // Auth0's length limits first: nothing longer reaches a check, a hash or an Action.
  const over = attributeOverLimit(fields);
  if (over) return refuse(400, 'BadRequestError', 'invalid_signup', over.message, over.field);
  const client = findClient(store, fields.client_id);
  if (!client) return refuse(400, 'BadRequestError', 'invalid_client', 'Unknown client.');
  const connection = findConnection(store, fields.connection);
  if (!connection) return refuse(400, 'BadRequestError', 'connection_not_found', 'Connection does not exist.');
  if (tenantKind(connection) !== 'database') return refuse(400, 'BadRequestError', 'invalid_connection', 'This endpoint only works for database connections.');
  if (connection.options.disable_signup === true) return refuse(403, 'BadRequestError', 'signup_disabled', 'Public signup is disabled');
  const email = typeof fields.email === 'string' ? fields.email.trim().toLowerCase() : '';
  if (!isEmailAddress(email)) return refuse(400, 'BadRequestError', 'invalid_signup', 'Invalid sign up: a valid email is required.', 'email');
  const password = fields.password;
  if (typeof password !== 'string' || password.length < minimumLength(connection.options) || password.length > 72) {
    return refuse(400, 'PasswordStrengthError', 'invalid_password', `Password is too weak: use ${minimumLength(connection.options)} to 72 characters.`, 'password');
  }
  for (const field of ROOT_FIELDS) {
    if (fields[field] !== undefined && typeof fields[field] !== 'string') return refuse(400, 'BadRequestError', 'invalid_body', `${field} must be a string.`, field);
  }
  // Suspicious IP throttling counts every signup attempt that gets this far.
  if (!takeSignupAttempt(store, ip)) return refuse(429, 'TooManyAttemptsError', 'too_many_attempts', SUSPICIOUS_MESSAGE);
  const exists = () => userByEmail(store, connection.name, email) !== undefined;
  if (exists()) return refuse(409, 'BadRequestError', 'user_exists', 'The user already exists.');

  const metadataProblem = checkSignupMetadata(fields.user_metadata);
  if (metadataProblem) return refuse(400, 'BadRequestError', 'invalid_signup', `Invalid sign up: ${metadataProblem}.`);
  const supplied = Object.fromEntries(ROOT_FIELDS.filter((field) => typeof fields[field] === 'string').map((field) => [field, fields[field] as string]));
  const userMetadata = typeof fields.user_metadata === 'object' && fields.user_metadata !== null ? (fields.user_metadata as Record<string, unknown>) : {};
  const event = preRegistrationEvent(connection, client, headers, { email, ...supplied, user_metadata: userMetadata, app_metadata: {} });
  const result = await runTrigger(context, 'pre-user-registration', event);
  if (result.outcome === 'failed') {
    const refusal = refuse(400, 'ExtensibilityError', 'extensibility_error', result.failure?.kind === 'timeout' ? 'Script execution time exceeded' : 'Something went wrong, please try again later.');
    return withLogged(refusal, failureDescription(result));
  }
  // api.validation.error: the Action's code and message, shown on the signup page.
  if (result.outcome === 'denied' && result.validation) return withLogged(refuse(400, 'ValidationError', result.validation.code, result.validation.message), result.validation.code);
  if (result.outcome === 'denied') return withLogged(refuse(400, 'ExtensibilityError', 'extensibility_error', result.denied?.userMessage ?? 'Sign up was denied.'), result.denied?.reason ?? 'denied');

  const passwordHash = await hashPassword(password);
  // Asked again after the awaits (the Actions, the hashing): another signup of the same address may have finished meanwhile.
  if (exists()) return refuse(409, 'BadRequestError', 'user_exists', 'The user already exists.');
  const id = randomBytes(12).toString('hex');
  const user = newUser(connection, 'auth0', id, { email, ...auth0Defaults(email), ...supplied, password_hash: passwordHash });
  user.app_metadata = mergeMetadata({}, result.appMetadata);
  user.user_metadata = mergeMetadata(userMetadata, result.userMetadata);
  const added = store.users.add(user);
  store.save();
  return { ok: true, user: added };
}

export function signupRoutes(context: LoginContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/dbconnections/signup',
      public: true,
      handler: async ({ body, headers, ip }) => {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return signupError(400, 'BadRequestError', 'invalid_body', 'The request body must be a JSON object.');
        const outcome = await signUp(context, body as Record<string, unknown>, headers, ip);
        if (!outcome.ok) return signupError(outcome.refusal.status, outcome.refusal.name, outcome.refusal.code, outcome.refusal.description);
        const { user } = outcome;
        const supplied = Object.fromEntries(ROOT_FIELDS.filter((field) => typeof (body as Record<string, unknown>)[field] === 'string').map((field) => [field, user[field]]));
        return { status: 200, body: { _id: user.identities[0]?.user_id, email_verified: false, email: user.email, ...supplied } };
      },
    },
  ];
}
