/**
 * The root attributes this project tracks: exactly the five that an upstream connection's
 * `set_user_root_attributes` governs (Management API enum `ConnectionSetUserRootAttributesEnum`).
 */
export const ROOT_ATTRIBUTES = ['name', 'given_name', 'family_name', 'nickname', 'picture'] as const;
export type RootAttribute = (typeof ROOT_ATTRIBUTES)[number];

/** Where a root attribute's value came from (docs/design.md §1, §3). */
export const SOURCES = ['signup', 'import', 'management_api', 'idp'] as const;
export type Source = (typeof SOURCES)[number];
/** A recorded source: one of the four, or `unknown` when nothing tells (created before auditing began). */
export type RecordedSource = Source | 'unknown';
export const RECORDED_SOURCES: readonly RecordedSource[] = [...SOURCES, 'unknown'];

/** How end users read each attribute's name in a message. */
export const ATTRIBUTE_LABELS: Record<RootAttribute, string> = {
  name: 'name',
  given_name: 'first name',
  family_name: 'last name',
  nickname: 'nickname',
  picture: 'profile picture',
};

const ATTRIBUTE_SET: ReadonlySet<unknown> = new Set(ROOT_ATTRIBUTES);
const SOURCE_SET: ReadonlySet<unknown> = new Set(RECORDED_SOURCES);

export function isRootAttribute(value: unknown): value is RootAttribute {
  return ATTRIBUTE_SET.has(value);
}

export function isRecordedSource(value: unknown): value is RecordedSource {
  return SOURCE_SET.has(value);
}
