/**
 * oidc-provider's storage on the tenant's state store: sessions, interactions, grants, codes and tokens
 * are saved with everything else, atomically, so a restart keeps every session and refresh token.
 * Clients are not stored here: they come from the Management API's clients (clients.ts).
 */
import type { StateStore, StoredOidcEntry } from '../state';

type Payload = Record<string, unknown>;

const now = () => Math.floor(Date.now() / 1000);

/** Logins waiting at the hosted pages kept at most: a flood of `/authorize` requests cannot grow the state without bound. */
export const MAX_INTERACTIONS = 10_000;

/**
 * Removes what has expired, at most once a minute: oidc-provider's entries past their lifetime, and the
 * records that expire (records.ts: the Actions' claims of a grant expire with it, a login waiting for the
 * browser with its interaction).
 */
function sweep(store: StateStore, last: { at: number }): void {
  if (now() - last.at < 60) return;
  last.at = now();
  for (const [model, entries] of Object.entries(store.state.oidc ?? {})) {
    for (const [id, entry] of Object.entries(entries)) if (entry.expiresAt !== undefined && entry.expiresAt <= now()) store.oidc.set(model, id, undefined);
  }
  store.records.sweep();
}

/** The adapter class oidc-provider constructs once per model name. */
export function stateAdapter(store: StateStore, findClient: (id: string) => Payload | undefined, maxInteractions = MAX_INTERACTIONS) {
  const lastSweep = { at: 0 };
  const entries = (model: string): Record<string, StoredOidcEntry> => {
    store.state.oidc ??= {};
    return (store.state.oidc[model] ??= {});
  };
  const live = (entry: StoredOidcEntry | undefined) => (entry && (entry.expiresAt === undefined || entry.expiresAt > now()) ? entry.payload : undefined);
  /**
   * Sessions are found by uid at every request that carries the session cookie: an index from uid to id
   * (built from the stored entries the first time, kept as entries are written; an entry gone or changed
   * since is checked for, so the index can only be stale, never wrong).
   */
  const uids = new Map<string, Map<string, string>>();
  const uidIndex = (model: string): Map<string, string> => {
    let index = uids.get(model);
    if (!index) {
      index = new Map();
      for (const [id, entry] of Object.entries(entries(model))) if (typeof entry.payload.uid === 'string') index.set(entry.payload.uid, id);
      uids.set(model, index);
    }
    return index;
  };

  return class StateAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      sweep(store, lastSweep);
      const stored = entries(this.model);
      // Every `/authorize` (anyone can send one) starts an interaction: past the cap, the oldest tenth go.
      if (this.model === 'Interaction' && !(id in stored) && Object.keys(stored).length >= maxInteractions) {
        const oldest = Object.entries(stored).sort(([, a], [, b]) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0)).slice(0, Math.ceil(maxInteractions / 10));
        for (const [old] of oldest) store.oidc.set(this.model, old, undefined);
      }
      store.oidc.set(this.model, id, { payload, ...(expiresIn ? { expiresAt: now() + expiresIn } : {}) });
      if (typeof payload.uid === 'string') uidIndex(this.model).set(payload.uid, id);
      store.save();
    }

    async find(id: string): Promise<Payload | undefined> {
      if (this.model === 'Client') return findClient(id);
      return live(entries(this.model)[id]);
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      const id = uidIndex(this.model).get(uid);
      const payload = id === undefined ? undefined : live(entries(this.model)[id]);
      return payload?.uid === uid ? payload : undefined;
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return Object.values(entries(this.model)).map(live).find((payload) => payload?.userCode === userCode);
    }

    async consume(id: string): Promise<void> {
      const entry = entries(this.model)[id];
      if (!entry) return;
      store.oidc.set(this.model, id, { ...entry, payload: { ...entry.payload, consumed: now() } });
      store.save();
    }

    async destroy(id: string): Promise<void> {
      if (!(id in entries(this.model))) return;
      store.oidc.set(this.model, id, undefined);
      // A grant revoked (a code replayed, a logout): the claims its logins got from the Actions go with it.
      if (this.model === 'Grant') store.records.delete('loginOutcome', id);
      store.save();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const stored = entries(this.model);
      for (const [id, entry] of Object.entries(stored)) if (entry.payload.grantId === grantId) store.oidc.set(this.model, id, undefined);
      store.save();
    }
  };
}
