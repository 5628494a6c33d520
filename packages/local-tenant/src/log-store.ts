/**
 * The tenant's log events in their table, newest MAX_LOGS kept: an event appended is seen at once and written
 * by the request's save, in its one transaction (database.ts); `GET /api/v2/logs` reads them from the table.
 */
import type Database from 'better-sqlite3';
import { MAX_LOGS, type StoredLog } from './logs';

export const LOGS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS logs (log_id TEXT PRIMARY KEY, date TEXT NOT NULL, json TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS logs_date ON logs (date);
`;

export interface LogStore {
  append(log: StoredLog): void;
  /** Every kept event, oldest first. */
  all(): StoredLog[];
  get(id: string): StoredLog | undefined;
}

export function logStoreOn(db: Database.Database): { logs: LogStore; changes: { write(): void; written(): void } } {
  const statements = {
    insert: db.prepare('INSERT OR IGNORE INTO logs (log_id, date, json) VALUES (?, ?, ?)'),
    // The oldest beyond MAX_LOGS go, a batch at a time.
    prune: db.prepare(`DELETE FROM logs WHERE log_id IN (SELECT log_id FROM logs ORDER BY date DESC, rowid DESC LIMIT -1 OFFSET ${MAX_LOGS})`),
    all: db.prepare('SELECT json FROM logs ORDER BY date, rowid'),
    get: db.prepare('SELECT json FROM logs WHERE log_id = ?'),
  };
  const pending: StoredLog[] = [];
  let inserted = 0;
  const logs: LogStore = {
    append(log) {
      pending.push(log);
    },
    all() {
      const stored = (statements.all.all() as Array<{ json: string }>).map((row) => JSON.parse(row.json) as StoredLog);
      return [...stored, ...pending].slice(-MAX_LOGS);
    },
    get(id) {
      const waiting = pending.find((log) => log.log_id === id);
      if (waiting) return waiting;
      const row = statements.get.get(id) as { json: string } | undefined;
      return row ? (JSON.parse(row.json) as StoredLog) : undefined;
    },
  };
  return {
    logs,
    changes: {
      write() {
        for (const log of pending) statements.insert.run(log.log_id, log.date, JSON.stringify(log));
        inserted += pending.length;
        if (inserted > 500) {
          statements.prune.run();
          inserted = 0;
        }
      },
      written() {
        pending.length = 0;
      },
    },
  };
}
