/** Body validation for the Management API routes, failing as Auth0 does: 400 "Payload validation error". */
import { badRequest } from '../http';
import { tooLong } from '../limits';

export function object(body: unknown, what = 'body'): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`Payload validation error: ${what} must be an object`);
  return body as Record<string, unknown>;
}

export function string(body: Record<string, unknown>, field: string, options: { required?: boolean; max?: number } = {}): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (options.required) throw badRequest(`Payload validation error: Missing required property: ${field}`);
    return undefined;
  }
  if (typeof value !== 'string') throw badRequest(`Payload validation error: Expected type string but found type ${Array.isArray(value) ? 'array' : typeof value} (${field})`);
  if (options.required && value.length === 0) throw badRequest(`Payload validation error: String is too short (0 chars), minimum 1 (${field})`);
  if (options.max !== undefined && value.length > options.max) throw badRequest(tooLong(field, value.length, options.max));
  return value;
}

export function array(body: Record<string, unknown>, field: string): unknown[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest(`Payload validation error: Expected type array but found type ${typeof value} (${field})`);
  return value;
}

export function boolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`Payload validation error: Expected type boolean but found type ${typeof value} (${field})`);
  return value;
}

export function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(body).filter((key) => !allowed.includes(key));
  if (extra.length > 0) throw badRequest(`Payload validation error: Additional properties not allowed: ${extra.join(',')}`);
}

/** A page of a list, for the page/per_page style of pagination. */
export function page(query: URLSearchParams, defaultPerPage: number, maxPerPage: number): { page: number; perPage: number } {
  const pageValue = Number(query.get('page') ?? '0');
  const perPageValue = Number(query.get('per_page') ?? String(defaultPerPage));
  if (!Number.isInteger(pageValue) || pageValue < 0) throw badRequest('Query validation error: page must be a non-negative integer', 'invalid_query_string');
  if (!Number.isInteger(perPageValue) || perPageValue < 1 || perPageValue > maxPerPage) {
    throw badRequest(`Query validation error: per_page must be an integer between 1 and ${maxPerPage}`, 'invalid_query_string');
  }
  return { page: pageValue, perPage: perPageValue };
}

const MAX_TAKE = 100;

/** Checkpoint pagination: `take` items after the `from` cursor (an opaque index here), `next` when more remain. */
export function checkpoint<T>(items: readonly T[], query: URLSearchParams): { items: T[]; next?: string } {
  const take = Number(query.get('take') ?? '50');
  if (!Number.isInteger(take) || take < 1 || take > MAX_TAKE) throw badRequest(`Query validation error: take must be an integer between 1 and ${MAX_TAKE}`, 'invalid_query_string');
  const fromValue = query.get('from');
  const start = fromValue === null ? 0 : Number.parseInt(Buffer.from(fromValue, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(start) || start < 0) throw badRequest('Query validation error: from is not a valid checkpoint', 'invalid_query_string');
  const slice = items.slice(start, start + take);
  const end = start + slice.length;
  return end < items.length ? { items: slice, next: Buffer.from(String(end)).toString('base64url') } : { items: slice };
}


/**
 * `fields` and `include_fields`, as Auth0's list and get routes take them: only the named fields (or, with
 * `include_fields=false`, all but them).
 */
export function projection(query: URLSearchParams): <T extends Record<string, unknown>>(item: T) => Partial<T> {
  const named = (query.get('fields') ?? '').split(',').map((field) => field.trim()).filter(Boolean);
  if (named.length === 0) return (item) => item;
  const include = query.get('include_fields') !== 'false';
  return (item) => Object.fromEntries(Object.entries(item).filter(([key]) => named.includes(key) === include)) as Partial<typeof item>;
}

/**
 * A list answered in Auth0's paging: with `checkpoint` (where Auth0 offers it), `take`/`from` give
 * `{ [field]: items, next }`; otherwise `page`/`per_page`, wrapped with totals when `include_totals=true`.
 */
export function listBody<T>(items: readonly T[], query: URLSearchParams, field: string, options: { checkpoint?: boolean } = {}): T[] | Record<string, unknown> {
  if (options.checkpoint && (query.has('take') || query.has('from'))) {
    const { items: slice, next } = checkpoint(items, query);
    return { [field]: slice, ...(next ? { next } : {}) };
  }
  const { page: number, perPage } = page(query, 50, 100);
  const slice = items.slice(number * perPage, (number + 1) * perPage);
  return query.get('include_totals') === 'true' ? { [field]: slice, start: number * perPage, limit: perPage, total: items.length } : slice;
}
