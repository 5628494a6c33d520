/**
 * @auth0-root-attributes/actions-runtime — runs built Auth0 Actions as Auth0 does: each flow in a locked-down
 * worker process, each Action in a context of its own with the npm dependencies it declares, the whole `api`
 * of each trigger recorded call by call and checked as Auth0 checks it, a deny ending the flow, metadata
 * merged after it, a time limit. The test kit, the local tenant and the benchmarks use it through this entry.
 */
export { ActionsRuntime, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS, type RuntimeOptions } from './runtime';
export { runFlow, emptyResult, type DeployedAction, type FlowHooks, type FlowRequest, type FlowResult, type PostLoginEffects, type Trigger } from './flow';
export {
  CACHE_LIMITS,
  recordPostLoginApi,
  recordPreUserRegistrationApi,
  type CacheEntries,
  type PostLoginContext,
  type PostLoginState,
  type PreUserRegistrationState,
  type RecordedCall,
  type Recording,
} from './api';
export {
  declaredDependencies,
  defaultDependencyCache,
  dependencyProblem,
  installDependencies,
  isInstalled,
  resolveDependencies,
  type DeclaredDependency,
  type InstallResult,
  type ResolvedDependency,
} from './dependencies';
export { loadInSandbox, thrownAt, LOG_LIMIT_BYTES, type SandboxedModule, type SandboxOptions } from './sandbox';
/** Auth0's event and `api` of each trigger, as Actions see them. */
export type * as Common from './types/common';
export type * as PostLogin from './types/post-login';
export type * as PreUserRegistration from './types/pre-user-registration';
