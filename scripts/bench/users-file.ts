/**
 * A users export for the audit benchmark: gzipped NDJSON of realistic profiles across the shipped
 * connections, each with the provenance record post-login would have written, a few percent of them
 * breaking the policy (a picture on a host the policy does not allow). Cached by size and policy.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { createGzip } from 'node:zlib';
import { profileDigest } from '../../actions/lib/digest';
import { reconcile } from '../../actions/post-login/reconcile';
import type { Project } from '../lib/project';
import { profile } from './actions';

const CONNECTIONS = [
  { name: 'Username-Password-Authentication', provider: 'auth0', share: 0.5 },
  { name: 'google-oauth2', provider: 'google-oauth2', share: 0.3 },
  { name: 'corp-oidc', provider: 'oidc', share: 0.15 },
  { name: 'email', provider: 'email', share: 0.05 },
];

export async function usersFile(project: Project, dir: string, count: number, violating = 0.03): Promise<string> {
  mkdirSync(dir, { recursive: true });
  // Keyed by the policy and by the digest function: records made under either of another kind would not be current.
  const file = path.join(dir, `users-${count}-${project.compiled.fingerprint}-${profileDigest({})}.ndjson.gz`);
  if (existsSync(file)) return file;
  const partial = `${file}.partial`;
  const gzip = createGzip({ level: 6 });
  const out = gzip.pipe(createWriteStream(partial));
  const now = () => '2026-11-25T18:00:00.000Z';
  for (let i = 0; i < count; i++) {
    const pick = (i % 100) / 100;
    let cumulative = 0;
    const connection = CONNECTIONS.find((candidate) => (cumulative += candidate.share) > pick) ?? CONNECTIONS[0]!;
    const compiled = project.compiled.connection(connection.name);
    if (typeof compiled !== 'object') throw new Error(`the policy does not manage ${connection.name}`);
    const values: Record<string, string | undefined> = profile(i);
    if ((i * 7919) % 1000 < violating * 1000) values.picture = `https://tracker.example/p/${i}.gif`;
    const record = reconcile({ compiled: project.compiled, connection: compiled, stored: undefined, values, firstLogin: true, now }).record;
    const user = {
      user_id: `${connection.provider}|${i.toString(16).padStart(24, '0')}`,
      email: `user${i}@example.com`,
      ...values,
      identities: [{ connection: connection.name, provider: connection.provider, user_id: String(i), isSocial: connection.provider === 'google-oauth2' }],
      app_metadata: { [project.policy.metadataKey]: record, plan: i % 3 === 0 ? 'pro' : 'free' },
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-11-25T18:00:00.000Z',
    };
    if (!gzip.write(`${JSON.stringify(user)}\n`)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await new Promise<void>((resolve, reject) => out.on('finish', () => resolve()).on('error', reject));
  renameSync(partial, file);
  return file;
}
