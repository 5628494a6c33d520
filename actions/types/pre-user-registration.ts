/** Auth0's pre-user-registration event and `api`, as the Actions runtime (packages/actions-runtime) defines and checks them. */
import type { PreUserRegistration } from '@auth0-root-attributes/actions-runtime';

export type Event = PreUserRegistration.Event;
export type PreUserRegistrationAPI = PreUserRegistration.PreUserRegistrationAPI;
export type PreUserRegistrationAction = PreUserRegistration.PreUserRegistrationAction;
export type User = PreUserRegistration.User;
