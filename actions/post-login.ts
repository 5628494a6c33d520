/**
 * The post-login Action (trigger post-login v3): audits where each root attribute came from,
 * records it, enforces the policy and tells applications in the ID token. Steps: post-login/flow.ts.
 */
import { connections, fingerprint } from 'virtual:tenant-connections';
import { compilePolicy } from './lib/compile-policy';
import policy from './policy';
import { postLoginFlow } from './post-login/flow';

export const onExecutePostLogin = postLoginFlow(compilePolicy(policy, connections, fingerprint));
