/**
 * Sorts violation codes by what the policy says they do on a connection at a trigger:
 * the first `deny` ends the flow, every `flag` is reported, `off` is dropped.
 */
import { enforcementOf, type CompiledConnection, type Trigger } from './compile-policy';

export interface Enforced {
  denied: string | undefined;
  flagged: string[];
}

export function enforce(connection: CompiledConnection, codes: readonly string[], trigger: Trigger): Enforced {
  let denied: string | undefined;
  const flagged: string[] = [];
  for (const code of codes) {
    const mode = enforcementOf(connection, code, trigger);
    if (mode === 'deny') denied ??= code;
    else if (mode === 'flag') flagged.push(code);
  }
  return { denied, flagged };
}
