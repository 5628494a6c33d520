/**
 * WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside whichever commit takes the
 * write-ahead log past 1,000 pages: that commit copies the log into the database file and syncs both, on the
 * thread that answers requests. A serving tenant checkpoints from a worker thread instead, on a connection of
 * its own, every quarter of a second: PASSIVE, so it never waits for the requests' reads or writes nor holds
 * them up (https://www.sqlite.org/c3ref/wal_checkpoint_v2.html). The next write after a complete checkpoint
 * starts the log over. Writes with no pause between them (a bulk import) never let a checkpoint complete: for
 * them the automatic checkpoint stays, at ten times SQLite's threshold. Should the worker fail, the threshold
 * is SQLite's again.
 */
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';

const INTERVAL_MS = 250;
/** How long closing waits for the worker to let its connection go, so that the last connection is the tenant's. */
const STOP_WAIT_MS = 2_000;
const SQLITE_PAGES = 1_000;
const SAFETY_NET_PAGES = 10_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const done = new Int32Array(workerData.done);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
`;

/** Starts checkpointing `db`'s log in the background; the function returned stops it and waits for the worker's connection to close. */
export function checkpointInBackground(db: Database.Database): () => void {
  const done = new SharedArrayBuffer(4);
  db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file: db.name, intervalMs: INTERVAL_MS, done } });
  worker.unref();
  let running = true;
  const fallBack = () => {
    if (!running) return;
    running = false;
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_PAGES}`);
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  return () => {
    if (!running) return;
    running = false;
    worker.postMessage('stop');
    Atomics.wait(new Int32Array(done), 0, 0, STOP_WAIT_MS);
    void worker.terminate();
  };
}
