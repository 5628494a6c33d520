/**
 * The local tenant's outbox: one-time codes it would e-mail (passwordless logins, second factors). A
 * local tenant sends no mail; `GET /local/outbox` (its own scope) stands for the user's mailbox. A code
 * is good once, for five minutes; only the latest one sent for a purpose counts, and after two wrong
 * tries a third ends it, as Auth0's "You've reached the maximum number of attempts".
 */
import { randomInt } from 'node:crypto';

const CODE_LIFETIME_MS = 300_000;
const KEPT = 1000;
/** Wrong tries a code survives; the next one ends it. */
const WRONG_TRIES = 2;

export type TakeOutcome = 'ok' | 'wrong' | 'exhausted';

export type Purpose = 'passwordless' | 'mfa';

export interface OutboxMessage {
  to: string;
  connection: string;
  purpose: Purpose;
  code: string;
  sent_at: string;
  expires: number;
  /** Wrong codes tried against this one. */
  wrong: number;
}

export class Outbox {
  private readonly messages: OutboxMessage[] = [];

  /** Sends a fresh six-digit code; returns nothing (the code reaches only the outbox). */
  send(to: string, connection: string, purpose: Purpose): void {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.messages.push({ to, connection, purpose, code, sent_at: new Date().toISOString(), expires: Date.now() + CODE_LIFETIME_MS, wrong: 0 });
    if (this.messages.length > KEPT) this.messages.shift();
  }

  /**
   * Checks `code` against the latest live code sent to `to` for this purpose: a match is used up; a
   * wrong code counts against it, and the try after the second wrong one ends it (`exhausted`).
   */
  take(to: string, connection: string, purpose: Purpose, code: unknown): TakeOutcome {
    const index = this.messages.findLastIndex((message) => message.to === to && message.connection === connection && message.purpose === purpose);
    const latest = this.messages[index];
    if (!latest || latest.expires <= Date.now()) return 'wrong';
    if (latest.code === code) {
      this.messages.splice(index, 1);
      return 'ok';
    }
    latest.wrong += 1;
    if (latest.wrong <= WRONG_TRIES) return 'wrong';
    this.messages.splice(index, 1);
    return 'exhausted';
  }

  /** The messages, for the mailbox stand-in. */
  list(to: string | null): Array<Omit<OutboxMessage, 'expires' | 'wrong'>> {
    return this.messages.filter((message) => to === null || message.to === to).map(({ expires: _expires, wrong: _wrong, ...message }) => message);
  }
}
