/**
 * Post-login, on a user's first login: copies the name the user typed at signup (user_metadata.full_name)
 * into the root `name` through the Management API — the one documented way for an Action to change a root
 * attribute. The `auth0` SDK (v4 API) runs with a machine-to-machine client's credentials, kept in the
 * Action's secrets; the client needs `update:users` on the Management API.
 *
 * Bind it after the provenance Action (root-attributes-post-login): this login records the name the user
 * had; the next login sees the change and records `management_api` as the name's source.
 */
const { ManagementClient } = require('auth0');

const MAX_NAME = 150;

exports.onExecutePostLogin = async (event, api) => {
  const typed = event.user.user_metadata && event.user.user_metadata.full_name;
  if (event.stats.logins_count !== 1 || typeof typed !== 'string') return;
  const name = typed.trim().slice(0, MAX_NAME);
  if (name === '' || name === event.user.name) return;
  const management = new ManagementClient({
    domain: event.secrets.M2M_DOMAIN,
    clientId: event.secrets.M2M_CLIENT_ID,
    clientSecret: event.secrets.M2M_CLIENT_SECRET,
    scope: 'update:users',
  });
  try {
    await management.users.update({ id: event.user.user_id }, { name });
    console.log(JSON.stringify({ event: 'signup name copied', user_id: event.user.user_id }));
  } catch (error) {
    // Never the name itself in a log line: the status tells what went wrong.
    console.log(JSON.stringify({ event: 'signup name not copied', user_id: event.user.user_id, status: error.statusCode }));
  }
};
