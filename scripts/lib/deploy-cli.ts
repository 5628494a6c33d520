/**
 * Facts of auth0-deploy-cli 8.44 (the version package.json pins) that the checker needs, so it agrees
 * with the a0deploy that deploys. tests/deploy-cli.test.ts reads them from the installed package and
 * fails when an upgrade changes them.
 */

/** Top-level keys a0deploy's schema accepts in tenant.yaml (it sets `additionalProperties: false`). */
export const DEPLOY_CLI_SECTIONS: readonly string[] = [
  'rules', 'rulesConfigs', 'hooks', 'pages', 'resourceServers', 'clients', 'databases', 'connections', 'tenant',
  'emailProvider', 'emailTemplates', 'clientGrants', 'guardianFactors', 'guardianFactorProviders',
  'guardianFactorTemplates', 'guardianPolicies', 'guardianPhoneFactorSelectedProvider',
  'guardianPhoneFactorMessageTypes', 'roles', 'branding', 'phoneProviders', 'phoneTemplates', 'prompts', 'actions',
  'actionModules', 'triggers', 'organizations', 'attackProtection', 'riskAssessment', 'logStreams', 'customDomains',
  'themes', 'forms', 'flows', 'flowVaultConnections', 'selfServiceProfiles', 'networkACLs', 'userAttributeProfiles',
  'connectionProfiles', 'tokenExchangeProfiles', 'supplementalSignals', 'rateLimitPolicies', 'eventStreams',
  'clientAuthCredentials', 'clientAuthCredentialsPre', 'exclude', 'include',
];

/** Trigger ids a0deploy knows (`ACTIONS_TRIGGERS` in its constants). */
export const DEPLOY_CLI_TRIGGERS: readonly string[] = [
  'post-login', 'credentials-exchange', 'pre-user-registration', 'post-user-registration', 'post-change-password',
  'send-phone-message', 'password-reset-post-challenge', 'custom-token-exchange', 'login-post-identifier',
  'signup-post-identifier',
];
