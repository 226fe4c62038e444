/**
 * The persistent store. One SQL schema runs on PGlite (embedded default) and PostgreSQL; plugins
 * see only these repositories. All methods are async and safe to call concurrently.
 */

export interface Assistant {
  id: string;
  name: string;
  /** Assistant settings: prompt, first message, providers, tools... (validated by the engine). */
  config: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type CallDirection = 'inbound' | 'outbound';
export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'ended';

export interface CallRecord {
  id: string;
  assistantId: string | null;
  transport: string;
  direction: CallDirection;
  status: CallStatus;
  /** Caller and callee numbers or URIs. Stored, never logged. */
  fromNumber: string | null;
  toNumber: string | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  /** Why the call ended: `caller-hangup`, `assistant-ended`, `error`, `server-shutdown`... */
  endReason: string | null;
  metadata: Record<string, unknown>;
}

export interface NewCall {
  id?: string;
  assistantId?: string | null;
  transport: string;
  direction: CallDirection;
  status?: CallStatus;
  fromNumber?: string | null;
  toNumber?: string | null;
  metadata?: Record<string, unknown>;
}

export type CallPatch = Partial<Pick<CallRecord, 'assistantId' | 'status' | 'answeredAt' | 'endedAt' | 'endReason' | 'metadata'>>;

export interface CallEvent {
  id: number;
  callId: string;
  /** `transcript`, `latency`, `status`, `tool-call`, `error`... */
  type: string;
  payload: Record<string, unknown>;
  at: Date;
}

export interface ApiKey {
  id: string;
  name: string;
  /** First characters of the key, to tell keys apart in listings. The key itself is never stored. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * A number route stored through the API (`/v1/phone-numbers`): calls to numbers matching
 * `pattern` go to `assistantId`. Config-file routes (`numbers:`) are not stored here.
 */
export interface PhoneNumberRoute {
  /** Normalised: an exact national number (`4001234567`), a prefix (`400*`) or `*`. */
  pattern: string;
  assistantId: string;
  /** Free text for operators (`Sales hotline`). */
  label: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Page {
  limit?: number;
  offset?: number;
}

export interface AssistantRepository {
  create(input: { id?: string; name: string; config?: Record<string, unknown> }): Promise<Assistant>;
  get(id: string): Promise<Assistant | undefined>;
  list(page?: Page): Promise<Assistant[]>;
  /** Replaces name and/or config; returns undefined when the assistant does not exist. */
  update(id: string, patch: { name?: string; config?: Record<string, unknown> }): Promise<Assistant | undefined>;
  delete(id: string): Promise<boolean>;
}

export interface CallRepository {
  create(input: NewCall): Promise<CallRecord>;
  get(id: string): Promise<CallRecord | undefined>;
  update(id: string, patch: CallPatch): Promise<CallRecord | undefined>;
  list(filter?: Page & { assistantId?: string; status?: CallStatus }): Promise<CallRecord[]>;
}

export interface CallEventRepository {
  append(callId: string, type: string, payload: Record<string, unknown>, at?: Date): Promise<CallEvent>;
  list(callId: string, filter?: { type?: string }): Promise<CallEvent[]>;
}

export interface ApiKeyRepository {
  /** Creates a key; the returned `key` is shown once and cannot be recovered. */
  create(name: string): Promise<{ key: string; record: ApiKey }>;
  /** The key's record if it exists and is not revoked; also stamps lastUsedAt. */
  verify(key: string): Promise<ApiKey | undefined>;
  list(): Promise<ApiKey[]>;
  revoke(id: string): Promise<boolean>;
}

/**
 * Number routes. Patterns are stored as given: callers normalise them first (the REST API does),
 * so `+86 400-123-4567` and `4001234567` are one route.
 */
export interface PhoneNumberRepository {
  /** Fails with VAPI_ERR_STORE_CONFLICT when the pattern already has a route. */
  create(input: { pattern: string; assistantId: string; label?: string | null }): Promise<PhoneNumberRoute>;
  get(pattern: string): Promise<PhoneNumberRoute | undefined>;
  /** In pattern order, paged. */
  list(page?: Page): Promise<PhoneNumberRoute[]>;
  /** Every route, unpaged: for routing caches, which hold them all. */
  all(): Promise<PhoneNumberRoute[]>;
  /** Changes the assistant and/or label (`null` clears it); undefined when the route does not exist. */
  update(pattern: string, patch: { assistantId?: string; label?: string | null }): Promise<PhoneNumberRoute | undefined>;
  delete(pattern: string): Promise<boolean>;
}

export interface Store {
  readonly driver: 'pglite' | 'postgres';
  readonly assistants: AssistantRepository;
  readonly calls: CallRepository;
  readonly callEvents: CallEventRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly phoneNumbers: PhoneNumberRepository;
  /** Throws when the database cannot be reached. Used by /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
