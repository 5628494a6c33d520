/**
 * The pre-user-registration Action (trigger pre-user-registration v2): enforces the policy on what
 * signup supplies and stamps provenance `signup`. Steps: pre-user-registration/flow.ts.
 */
import { connections, fingerprint } from 'virtual:tenant-connections';
import { compilePolicy } from './lib/compile-policy';
import policy from './policy';
import { preUserRegistrationFlow } from './pre-user-registration/flow';

export const onExecutePreUserRegistration = preUserRegistrationFlow(compilePolicy(policy, connections, fingerprint));
