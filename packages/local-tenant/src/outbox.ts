/**
 * The local tenant's outbox: one-time codes it would e-mail (passwordless logins, second factors). A
 * local tenant sends no mail; `GET /local/outbox` (its own scope) stands for the user's mailbox. A code
 * is good once, for five minutes; only the latest one sent for a purpose counts, and after two wrong
 * tries a third ends it, as Auth0's "You've reached the maximum number of attempts". A code used or ended stays
 * in the mailbox marked spent, so the one before it never comes back to life. The codes live in the state
 * database (a restart keeps them); expired ones go, and of the others the newest thousand are kept besides the
 * latest of every address — traffic for other addresses never evicts a live code.
 */
import { randomInt } from 'node:crypto';
import type { RowStatements } from './database';

const CODE_LIFETIME_MS = 300_000;
const KEPT = 1000;
/** Wrong tries a code survives; the next one ends it. */
const WRONG_TRIES = 2;

export type TakeOutcome = 'ok' | 'wrong' | 'exhausted';

export type Purpose = 'passwordless' | 'mfa';

/** A message as the mailbox stand-in shows it. */
export interface OutboxMessage {
  to: string;
  connection: string;
  purpose: Purpose;
  code: string;
  sent_at: string;
}

export const OUTBOX_SCHEMA = `
  CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL, connection TEXT NOT NULL, purpose TEXT NOT NULL,
    code TEXT NOT NULL, sent_at TEXT NOT NULL, expires INTEGER NOT NULL, wrong INTEGER NOT NULL DEFAULT 0,
    spent INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS outbox_expiry ON outbox (expires);
  CREATE INDEX IF NOT EXISTS outbox_latest ON outbox (recipient, connection, purpose, id);
`;

/** A message as stored: who it went to, when it expires, and the wrong codes tried against it. */
interface Row extends Omit<OutboxMessage, 'to'> {
  id: number;
  recipient: string;
  expires: number;
  wrong: number;
  spent: number;
}

export class Outbox {
  private readonly statements;

  constructor(db: RowStatements) {
    // An outbox of an older checkout, whose used codes were deleted rather than marked.
    if (!(db.pragma('table_info(outbox)') as Array<{ name: string }>).some((column) => column.name === 'spent')) db.exec('ALTER TABLE outbox ADD COLUMN spent INTEGER NOT NULL DEFAULT 0');
    this.statements = {
      insert: db.prepare('INSERT INTO outbox (recipient, connection, purpose, code, sent_at, expires) VALUES (?, ?, ?, ?, ?, ?)'),
      expired: db.prepare('DELETE FROM outbox WHERE expires <= ?'),
      prune: db.prepare(`DELETE FROM outbox WHERE id <= (SELECT max(id) FROM outbox) - ${KEPT} AND id NOT IN (SELECT max(id) FROM outbox GROUP BY recipient, connection, purpose)`),
      latest: db.prepare('SELECT * FROM outbox WHERE recipient = ? AND connection = ? AND purpose = ? ORDER BY id DESC LIMIT 1'),
      wrong: db.prepare('UPDATE outbox SET wrong = ? WHERE id = ?'),
      spend: db.prepare('UPDATE outbox SET spent = 1 WHERE id = ?'),
      all: db.prepare('SELECT * FROM outbox ORDER BY id'),
      to: db.prepare('SELECT * FROM outbox WHERE recipient = ? ORDER BY id'),
    };
  }

  /** Sends a fresh six-digit code; returns nothing (the code reaches only the outbox). */
  send(to: string, connection: string, purpose: Purpose): void {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.statements.insert.run(to, connection, purpose, code, new Date().toISOString(), Date.now() + CODE_LIFETIME_MS);
    this.statements.expired.run(Date.now());
    this.statements.prune.run();
  }

  /**
   * Checks `code` against the latest live code sent to `to` for this purpose: a match is used up; a
   * wrong code counts against it, and the try after the second wrong one ends it (`exhausted`).
   */
  take(to: string, connection: string, purpose: Purpose, code: unknown): TakeOutcome {
    // Only the latest code sent counts: a superseded one is dead, whatever became of the latest.
    const latest = this.statements.latest.get(to, connection, purpose) as Row | undefined;
    if (!latest || latest.spent === 1 || latest.expires <= Date.now()) return 'wrong';
    if (latest.code === code) {
      this.statements.spend.run(latest.id);
      return 'ok';
    }
    if (latest.wrong + 1 <= WRONG_TRIES) {
      this.statements.wrong.run(latest.wrong + 1, latest.id);
      return 'wrong';
    }
    this.statements.spend.run(latest.id);
    return 'exhausted';
  }

  /** The messages, for the mailbox stand-in. */
  list(to: string | null): OutboxMessage[] {
    const rows = (to === null ? this.statements.all.all() : this.statements.to.all(to)) as Row[];
    return rows.map((row) => ({ to: row.recipient, connection: row.connection, purpose: row.purpose, code: row.code, sent_at: row.sent_at }));
  }
}
