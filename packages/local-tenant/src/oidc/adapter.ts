/**
 * oidc-provider's storage on the tenant's state store (oidc-store.ts): sessions, interactions, grants, codes
 * and tokens are saved with everything else, atomically, so a restart keeps every session and refresh token.
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
  store.oidc.sweep(now());
  store.records.sweep();
}

/** The adapter class oidc-provider constructs once per model name. */
export function stateAdapter(store: StateStore, findClient: (id: string) => Payload | undefined, maxInteractions = MAX_INTERACTIONS) {
  const lastSweep = { at: 0 };
  const live = (entry: StoredOidcEntry | undefined) => (entry && (entry.expiresAt === undefined || entry.expiresAt > now()) ? entry.payload : undefined);

  return class StateAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      sweep(store, lastSweep);
      // Every `/authorize` (anyone can send one) starts an interaction: past the cap, the oldest tenth go.
      if (this.model === 'Interaction' && store.oidc.get(this.model, id) === undefined && store.oidc.count(this.model) >= maxInteractions) {
        for (const old of store.oidc.oldest(this.model, Math.ceil(maxInteractions / 10))) store.oidc.set(this.model, old, undefined);
      }
      store.oidc.set(this.model, id, { payload, ...(expiresIn ? { expiresAt: now() + expiresIn } : {}) });
      store.save();
    }

    async find(id: string): Promise<Payload | undefined> {
      if (this.model === 'Client') return findClient(id);
      return live(store.oidc.get(this.model, id));
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      return live(store.oidc.byUid(this.model, uid)?.entry);
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return live(store.oidc.byUserCode(this.model, userCode)?.entry);
    }

    async consume(id: string): Promise<void> {
      const entry = store.oidc.get(this.model, id);
      if (!entry) return;
      store.oidc.set(this.model, id, { ...entry, payload: { ...entry.payload, consumed: now() } });
      store.save();
    }

    async destroy(id: string): Promise<void> {
      if (store.oidc.get(this.model, id) === undefined) return;
      store.oidc.set(this.model, id, undefined);
      // A grant revoked (a code replayed, a logout): the claims its logins got from the Actions go with it.
      if (this.model === 'Grant') store.records.delete('loginOutcome', id);
      store.save();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const id of store.oidc.ofGrant(this.model, grantId)) store.oidc.set(this.model, id, undefined);
      store.save();
    }
  };
}
