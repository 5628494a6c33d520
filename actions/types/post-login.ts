/** Auth0's post-login event and `api`, as the Actions runtime (packages/actions-runtime) defines and checks them. */
import type { PostLogin } from '@auth0-root-attributes/actions-runtime';

export type Event = PostLogin.Event;
export type PostLoginAPI = PostLogin.PostLoginAPI;
export type PostLoginAction = PostLogin.PostLoginAction;
export type User = PostLogin.User;
