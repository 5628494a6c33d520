/**
 * What this checkout last deployed to a target, per resource: digests of tenant.yaml's side, never values.
 * Written only by its owner (0600, in a 0700 folder), like every file under `.local/`.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Ledger } from './plan';

export function readLedger(file: string): Ledger {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Ledger) : {};
  } catch {
    return {};
  }
}

export function writeLedger(file: string, ledger: Ledger): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic.sync(file, JSON.stringify(ledger, null, 1), { mode: 0o600 });
}
