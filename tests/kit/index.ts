/**
 * The test kit: event builders, recording `api` objects, and a loader that runs the Actions from
 * source or as built bundles. A team can use it for its own Actions too.
 */
export { deepMerge, type DeepPartial } from './deep-merge';
export { postLoginEvent, preUserRegistrationEvent, type PostLoginEvent, type PreUserRegistrationEvent } from './events';
export { seededRandom, type Random } from './random';
export {
  recordPostLoginApi,
  recordPreUserRegistrationApi,
  type PostLoginState,
  type PreUserRegistrationState,
  type RecordedCall,
  type Recording,
} from '@auth0-root-attributes/actions-runtime';
export { loadActions, TARGETS, type ActionSetup, type ActionsUnderTest, type Run, type Target } from './actions';
export { ActionsRuntime, type DeployedAction, type FlowRequest, type FlowResult } from '@auth0-root-attributes/actions-runtime';
export { loadAction, loadActionFile, loadFlow, type ActionSource, type ActionUnderTest, type RunOptions, type TenantSetup } from './action';
