/**
 * The Actions on the login path, built bundles called directly (no sandbox), against the least work
 * that can notice a change: one sha256 over the tracked attributes' values joined together.
 */
import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { reconcile } from '../../actions/post-login/reconcile';
import type { Project } from '../lib/project';
import { ActionsRuntime } from '@auth0-root-attributes/actions-runtime';
import { distribution, interleaved, timeEach, type Distribution, type RoundRatio, type TimedCase } from './stats';

type Handler = (event: unknown, api: unknown) => Promise<void>;

/** Loads a bundle as a plain CommonJS module in this realm: no sandbox, no recording. */
function directly(file: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('exports', 'require', 'module', readFileSync(file, 'utf8'))(module.exports, require, module);
  return module.exports;
}

/** An api that does as little as possible: what Auth0's own costs is outside our code. */
function quietApi() {
  const noop = () => api;
  const api: Record<string, unknown> = {
    access: { deny: noop },
    idToken: { setCustomClaim: noop },
    accessToken: { setCustomClaim: noop, addScope: noop, removeScope: noop },
    user: { setAppMetadata: noop, setUserMetadata: noop },
    validation: { error: noop },
  };
  return api;
}

const FIRST = ['Ada', 'José', 'Zoë', 'Nguyễn', 'Søren', 'Aoife', 'Анна', '美咲', 'محمد', 'Kwame'];
const LAST = ['Lovelace', 'García', 'Brontë', 'Thị Minh', 'Kierkegaard', "O'Brien", 'Каренина', '佐藤', 'العلي', 'Mensah'];

export function profile(i: number) {
  const given = FIRST[i % FIRST.length] ?? 'Ada';
  const family = LAST[(i * 7) % LAST.length] ?? 'Lovelace';
  return { name: `${given} ${family}`, given_name: given, family_name: family, nickname: `${given.toLowerCase()}${i % 1000}`, picture: `https://lh3.googleusercontent.com/a/${(i * 2654435761 >>> 0).toString(16)}=s96-c` };
}

type CaseName = 'postLoginUnchanged' | 'postLoginChanged' | 'preRegistrationAccepted' | 'preRegistrationDenied';

export interface ActionFigures {
  /** The floor's distribution (from the first case's rounds). */
  floor: Distribution;
  /** Each case: its distribution, the floor's in the same rounds, and the ratio of the rounds. */
  cases: Record<CaseName, { measured: Distribution; baseline: Distribution; ratio: RoundRatio }>;
  runtimeOverheadNs: Distribution;
  events: number;
}

/** Rounds per ratio: enough for a median and a spread, each round long enough to time well. */
const ROUNDS = 7;

export async function benchActions(project: Project, bundleDir: string, events: number): Promise<ActionFigures> {
  const postLogin = directly(path.join(bundleDir, 'post-login.js')).onExecutePostLogin as Handler;
  const preRegistration = directly(path.join(bundleDir, 'pre-user-registration.js')).onExecutePreUserRegistration as Handler;
  const connection = project.compiled.connection('google-oauth2');
  if (typeof connection !== 'object') throw new Error('the shipped policy must manage google-oauth2');
  const api = quietApi();
  const now = '2026-11-25T18:00:00.000Z';

  const unchanged = Array.from({ length: events }, (_, i) => {
    const values = profile(i);
    const record = reconcile({ compiled: project.compiled, connection, stored: undefined, values, firstLogin: true, now: () => now }).record;
    return { user: { user_id: `google-oauth2|${i}`, ...values, app_metadata: { [project.policy.metadataKey]: record }, user_metadata: {}, identities: [{ connection: 'google-oauth2' }] }, connection: { name: 'google-oauth2', strategy: 'google-oauth2' }, stats: { logins_count: 2 } };
  });
  const changed = unchanged.map((event, i) => ({ ...event, user: { ...event.user, name: `${event.user.name} ${i % 2 === 0 ? 'Jr.' : 'II'}` } }));
  // The floor joins the values as it hashes them: reading the five values is part of noticing a change.
  const floorCase: TimedCase<(typeof unchanged)[number]> = { inputs: unchanged, fn: ({ user }) => hash('sha256', `${user.name}\u0000${user.given_name}\u0000${user.family_name}\u0000${user.nickname}\u0000${user.picture}`) };
  // Log lines are part of the changed path's cost in Auth0 too; here they go nowhere.
  const log = console.log;
  console.log = () => {};
  const signups = unchanged.map((event) => ({ user: { email: 'x@example.com', ...profile(Number(event.user.user_id.split('|')[1])) }, connection: { name: 'Username-Password-Authentication', strategy: 'auth0' } }));
  const spam = signups.map((event) => ({ ...event, user: { ...event.user, name: 'Cheap pills at pills.biz' } }));
  let cases: ActionFigures['cases'];
  try {
    // Each case against the floor in interleaved rounds: a busy machine slows both alike.
    cases = {
      postLoginUnchanged: await interleaved(ROUNDS, floorCase, { inputs: unchanged, fn: (event) => postLogin(event, api) }),
      postLoginChanged: await interleaved(ROUNDS, floorCase, { inputs: changed, fn: (event) => postLogin(event, api) }),
      preRegistrationAccepted: await interleaved(ROUNDS, floorCase, { inputs: signups, fn: (event) => preRegistration(event, api) }),
      preRegistrationDenied: await interleaved(ROUNDS, floorCase, { inputs: spam, fn: (event) => preRegistration(event, api) }),
    };
  } finally {
    console.log = log;
  }

  // The runtime: the same post-login, in its isolated context on a worker, against the direct call.
  const runtime = new ActionsRuntime({ workers: 1 });
  try {
    const code = readFileSync(path.join(bundleDir, 'post-login.js'), 'utf8');
    const sample = unchanged.slice(0, 2_000);
    const through = await timeEach(sample, (event) => runtime.run({ trigger: 'post-login', actions: [{ name: 'post-login', code, secrets: {}, dependencies: [] }], event }), 200);
    const direct = await timeEach(sample, (event) => postLogin(event, api), 200);
    const overhead = through.map((value, i) => value - (direct[i] ?? 0));
    return { floor: cases.postLoginUnchanged.baseline, cases, runtimeOverheadNs: distribution(overhead), events };
  } finally {
    await runtime.close();
  }
}
