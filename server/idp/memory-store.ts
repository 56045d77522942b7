/**
 * Where the embedded provider keeps its sessions, grants, codes and refresh tokens: this process's memory, one store
 * per provider. A restart signs everyone out of the provider (access tokens stay valid until they expire: they are
 * JWTs checked against the provider's keys, which persist). Fit for the demo and tests, which is all the embedded
 * provider is for.
 */

interface Entry {
  payload: Record<string, unknown>;
  expiresAt?: number;
}

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

export function memoryAdapterFactory() {
  const entries = new Map<string, Entry>();
  const index = new Map<string, string>(); // "uid:…", "userCode:…" → key; "grant:…" → keys joined by \n

  const live = (key: string | undefined): Record<string, unknown> | undefined => {
    if (key === undefined) return undefined;
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt < Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return class MemoryAdapter {
    constructor(private readonly model: string) {}

    private key(id: string) {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      const key = this.key(id);
      entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (this.model === 'Session' && typeof payload.uid === 'string') index.set(`uid:${payload.uid}`, key);
      if (typeof payload.userCode === 'string') index.set(`userCode:${payload.userCode}`, key);
      if (GRANTABLE.has(this.model) && typeof payload.grantId === 'string') {
        const grantKey = `grant:${payload.grantId}`;
        index.set(grantKey, [index.get(grantKey), key].filter(Boolean).join('\n'));
      }
    }

    async find(id: string) {
      return live(this.key(id));
    }

    async findByUid(uid: string) {
      return live(index.get(`uid:${uid}`));
    }

    async findByUserCode(userCode: string) {
      return live(index.get(`userCode:${userCode}`));
    }

    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string) {
      entries.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string) {
      for (const key of index.get(`grant:${grantId}`)?.split('\n') ?? []) entries.delete(key);
      index.delete(`grant:${grantId}`);
    }
  };
}
