/** The Actions this project builds: source entry, bundle name, trigger, and the handler the trigger calls. */
export interface ActionEntry {
  /** Bundle file name without extension, under `build/actions/`. */
  bundle: string;
  /** Source entry, relative to the project root. */
  entry: string;
  trigger: string;
  triggerVersion: string;
  handler: string;
}

export const ACTION_ENTRIES: readonly ActionEntry[] = [
  { bundle: 'pre-user-registration', entry: 'actions/pre-user-registration.ts', trigger: 'pre-user-registration', triggerVersion: 'v2', handler: 'onExecutePreUserRegistration' },
  { bundle: 'post-login', entry: 'actions/post-login.ts', trigger: 'post-login', triggerVersion: 'v3', handler: 'onExecutePostLogin' },
];

/** The handler each trigger calls (Auth0's CommonJS export names). */
export const TRIGGER_HANDLERS: Readonly<Record<string, string>> = {
  'post-login': 'onExecutePostLogin',
  'pre-user-registration': 'onExecutePreUserRegistration',
  'post-user-registration': 'onExecutePostUserRegistration',
  'post-change-password': 'onExecutePostChangePassword',
  'credentials-exchange': 'onExecuteCredentialsExchange',
  'send-phone-message': 'onExecuteSendPhoneMessage',
  'password-reset-post-challenge': 'onExecutePostChallenge',
  'custom-token-exchange': 'onExecuteCustomTokenExchange',
};

/** Where bundles go, relative to tenant.yaml's folder (a0deploy resolves code paths from there). */
export const BUNDLE_DIR = 'build/actions';
