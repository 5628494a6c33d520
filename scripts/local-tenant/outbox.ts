/**
 * The local tenant's outbox: one-time codes it would e-mail (passwordless logins, second factors). A
 * local tenant sends no mail; `GET /local/outbox` (its own scope) stands for the user's mailbox. A code
 * is good once, for five minutes.
 */
import { randomInt } from 'node:crypto';

const CODE_LIFETIME_MS = 300_000;
const KEPT = 1000;

export type Purpose = 'passwordless' | 'mfa';

export interface OutboxMessage {
  to: string;
  connection: string;
  purpose: Purpose;
  code: string;
  sent_at: string;
  expires: number;
}

export class Outbox {
  private readonly messages: OutboxMessage[] = [];

  /** Sends a fresh six-digit code; returns nothing (the code reaches only the outbox). */
  send(to: string, connection: string, purpose: Purpose): void {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    this.messages.push({ to, connection, purpose, code, sent_at: new Date().toISOString(), expires: Date.now() + CODE_LIFETIME_MS });
    if (this.messages.length > KEPT) this.messages.shift();
  }

  /** Whether `code` is a live code sent to `to` for this purpose; a match is used up. */
  take(to: string, connection: string, purpose: Purpose, code: unknown): boolean {
    const index = this.messages.findIndex((message) => message.to === to && message.connection === connection && message.purpose === purpose && message.code === code && message.expires > Date.now());
    if (index < 0) return false;
    this.messages.splice(index, 1);
    return true;
  }

  /** The messages, for the mailbox stand-in. */
  list(to: string | null): Array<Omit<OutboxMessage, 'expires'>> {
    return this.messages.filter((message) => to === null || message.to === to).map(({ expires: _expires, ...message }) => message);
  }
}
