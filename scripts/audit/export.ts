/**
 * Users of a tenant as a stream of NDJSON lines: from a users export job (gzipped NDJSON, as Auth0 serves
 * it) or from a file (`.ndjson`, or gzipped). Lines are read one at a time: memory stays flat.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { ProjectError } from '../lib/errors';
import type { Target } from '../lib/target';
import type { UsersAudit } from './users';

export interface UserSource {
  /** Bytes of the (compressed) input, when known: for progress. */
  totalBytes: number | undefined;
  lines: AsyncIterable<string>;
  /** Bytes read so far. */
  bytesRead(): number;
}

function fromStream(stream: Readable, totalBytes: number | undefined, gzipped: boolean): UserSource {
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      read += chunk.length;
      done(null, chunk);
    },
  });
  const text = gzipped ? stream.pipe(counter).pipe(createGunzip()) : stream.pipe(counter);
  return { totalBytes, lines: createInterface({ input: text, crlfDelay: Infinity }), bytesRead: () => read };
}

/** A file: gzipped when it starts with gzip's magic bytes, whatever its name. */
export async function usersFromFile(file: string): Promise<UserSource> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new ProjectError('usage', `cannot read the users file ${file}`, { hint: 'an export as NDJSON (one user per line), gzipped or not' });
  }
  const head = await new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    createReadStream(file, { start: 0, end: 1 })
      .on('data', (chunk) => chunks.push(chunk as Buffer))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', () => resolve(Buffer.alloc(0)));
  });
  return fromStream(createReadStream(file), size, head[0] === 0x1f && head[1] === 0x8b);
}

export const EXPORT_FIELDS = ['user_id', 'email', 'name', 'given_name', 'family_name', 'nickname', 'picture', 'identities', 'app_metadata', 'created_at', 'updated_at'];

/** Runs a users export job on the target and streams its file. */
export async function usersFromExportJob(target: Target, timeoutMs = 600_000): Promise<UserSource> {
  const created = await target.management.jobs.usersExports.create({ format: 'json', fields: EXPORT_FIELDS.map((name) => ({ name })) });
  const id = created.id ?? '';
  const started = Date.now();
  let location: string | undefined;
  // Asked again after 1 s, then less and less often (at most every 10 s): a big export takes minutes, and each
  // question counts against the tenant's rate limit.
  let pause = 1_000;
  for (;;) {
    const job = (await target.management.jobs.get(id)) as { status?: string; location?: string };
    if (job.status === 'completed') {
      location = job.location;
      break;
    }
    if (job.status === 'failed') throw new ProjectError('usage', `the users export job ${id} failed`);
    if (Date.now() - started > timeoutMs) throw new ProjectError('usage', `the users export job ${id} did not finish within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 1.5, 10_000);
  }
  if (!location) throw new ProjectError('usage', `the users export job ${id} gave no file location`);
  const response = await fetch(location);
  if (!response.ok || !response.body) throw new ProjectError('usage', `could not download the users export (${response.status})`);
  const length = Number(response.headers.get('content-length'));
  return fromStream(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), Number.isFinite(length) && length > 0 ? length : undefined, true);
}

/**
 * Progress on a terminal (cli-progress): users read, their rate, and — when the input's size is known — a bar
 * and the time left. Nothing at all when the output is not a terminal (a CI log, a pipe).
 */
export function progress(source: UserSource, enabled: boolean, stream: NodeJS.WriteStream = process.stderr) {
  if (!enabled) return { tick() {}, done() {} };
  const started = Date.now();
  const sized = source.totalBytes !== undefined && source.totalBytes > 0;
  const bar = new SingleBar(
    {
      stream,
      format: sized ? '{bar} {percentage}% | {users} users | {rate}/s | {eta_formatted} left' : '{users} users | {rate}/s',
      barsize: 24,
      etaBuffer: 20,
      fps: 5,
      hideCursor: false,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  const payload = (users: number) => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    return { users: users.toLocaleString('en'), rate: Math.round(users / seconds).toLocaleString('en') };
  };
  bar.start(sized ? (source.totalBytes ?? 0) : 1, 0, payload(0));
  return {
    tick(users: number) {
      bar.update(sized ? source.bytesRead() : 0, payload(users));
    },
    done(users: number) {
      bar.update(sized ? (source.totalBytes ?? 0) : 1, payload(users));
      bar.stop();
    },
  };
}

/** Feeds every line of a source to the audit, with a progress line when asked. */
export async function auditUsers(source: UserSource, audit: UsersAudit, showProgress: boolean): Promise<void> {
  const bar = progress(source, showProgress);
  let count = 0;
  let number = 0;
  for await (const line of source.lines) {
    number += 1;
    if (line.trim() === '') continue;
    try {
      audit.add(JSON.parse(line), number);
    } catch {
      audit.add(null, number);
    }
    count += 1;
    if ((count & 1023) === 0) bar.tick(count);
  }
  bar.done(count);
}

