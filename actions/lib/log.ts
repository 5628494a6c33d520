/**
 * One JSON line per event worth keeping. Never an attribute value or a secret: only ids, names,
 * sources and codes. Auth0 persists the first 256 characters of an Action's log, so lines stay short.
 */
export type LogLine =
  | { event: 'root_attribute_changed'; user_id: string; connection: string; attribute: string; source: string | null; previous_source: string | null }
  | { event: 'provenance_record_replaced'; user_id: string; connection: string; problem: string }
  | { event: 'root_attribute_violation'; user_id: string; connection: string; code: string; enforcement: 'deny' | 'flag' }
  | { event: 'signup_denied'; connection: string; code: string }
  | { event: 'login_denied'; user_id: string; connection: string; code: string }
  | { event: 'unmanaged_connection'; connection: string; handling: string }
  | { event: 'action_error'; trigger: string; error: string };

export function log(line: LogLine): void {
  console.log(JSON.stringify(line));
}

/** A string fit for a log field: identifiers only, cut short. */
export function id(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 128) : '';
}
