/**
 * A serving tenant's write-ahead log is folded into the database by a worker thread, not by the commit that
 * happens to take it past SQLite's threshold (checkpointer.ts): the log starts over once the worker has
 * checkpointed it, closing leaves no log behind, and what was written is all there when the state reopens.
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { openState } from '../src/state';

// Each save its own commit, of about six pages: two batches stay under the 1,000 pages at which SQLite checkpoints by itself.
const ENTRIES = 60;

function write(store: ReturnType<typeof openState>, prefix: string): void {
  for (let i = 0; i < ENTRIES; i++) {
    store.oidc.set('Session', `${prefix}${i}`, { payload: { uid: `${prefix}-uid-${i}`, padding: 'x'.repeat(600) }, expiresAt: 4_000_000_000 });
    store.save();
  }
}

const logSize = (dir: string) => {
  const file = path.join(dir, 'tenant.db-wal');
  return existsSync(file) ? statSync(file).size : 0;
};

/** Writes two equal batches a second apart and gives the log's size after each. */
async function twoBatches(serving: boolean): Promise<{ dir: string; first: number; second: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'checkpointer-'));
  const store = openState(dir, { serving });
  try {
    write(store, 'a');
    const first = logSize(dir);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    write(store, 'b');
    return { dir, first, second: logSize(dir) };
  } finally {
    store.close();
  }
}

describe('the write-ahead log of a serving tenant', () => {
  it('is checkpointed in the background, so the next writes start it over instead of growing it', async () => {
    const serving = await twoBatches(true);
    expect(serving.first).toBeGreaterThan(200_000);
    // Started over: the second batch reused the log's pages instead of adding as many again.
    expect(serving.second).toBeLessThan(serving.first * 1.5);
  });

  it('is left behind by no close, and everything written through it is there when the state reopens', async () => {
    const { dir } = await twoBatches(true);
    expect(existsSync(path.join(dir, 'tenant.db-wal'))).toBe(false);
    const again = openState(dir);
    try {
      for (const id of ['a0', `a${ENTRIES - 1}`, 'b0', `b${ENTRIES - 1}`]) expect(again.oidc.get('Session', id)).toMatchObject({ payload: { uid: expect.stringContaining('-uid-') } });
    } finally {
      again.close();
    }
  });

  it('grows past the first batch in a tenant that does not serve (a command), which checkpoints only at SQLite\'s threshold', async () => {
    const command = await twoBatches(false);
    expect(command.second).toBeGreaterThan(command.first * 1.5);
  });
});
