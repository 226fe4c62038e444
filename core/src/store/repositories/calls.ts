/** Call records: one row per call, updated as the call moves through its lifecycle. */
import { randomUUID } from 'node:crypto';
import type { CallPatch, CallRecord, CallRepository, CallStatus, NewCall, Page } from '@vapi-cn/sdk-plugin-api';
import type { SqlClient, SqlParam } from '../sql-client.js';
import { pageBounds } from './page.js';

interface CallRow {
  id: string;
  assistant_id: string | null;
  transport: string;
  direction: CallRecord['direction'];
  status: CallStatus;
  from_number: string | null;
  to_number: string | null;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
  metadata: Record<string, unknown>;
}

const COLUMNS =
  'id, assistant_id, transport, direction, status, from_number, to_number, started_at, answered_at, ended_at, end_reason, metadata';

// The column behind each patchable field.
const PATCH_COLUMNS: Record<keyof CallPatch, string> = {
  assistantId: 'assistant_id',
  status: 'status',
  answeredAt: 'answered_at',
  endedAt: 'ended_at',
  endReason: 'end_reason',
  metadata: 'metadata',
};

function toCall(row: CallRow): CallRecord {
  return {
    id: row.id,
    assistantId: row.assistant_id,
    transport: row.transport,
    direction: row.direction,
    status: row.status,
    fromNumber: row.from_number,
    toNumber: row.to_number,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    metadata: row.metadata,
  };
}

export class SqlCallRepository implements CallRepository {
  constructor(private readonly db: SqlClient) {}

  async create(input: NewCall): Promise<CallRecord> {
    const [row] = await this.db.query<CallRow>(
      `INSERT INTO calls (id, assistant_id, transport, direction, status, from_number, to_number, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
       RETURNING ${COLUMNS}`,
      [
        input.id ?? randomUUID(),
        input.assistantId ?? null,
        input.transport,
        input.direction,
        input.status ?? 'queued',
        input.fromNumber ?? null,
        input.toNumber ?? null,
        JSON.stringify(input.metadata ?? {}),
      ],
    );
    return toCall(row);
  }

  async get(id: string): Promise<CallRecord | undefined> {
    const [row] = await this.db.query<CallRow>(`SELECT ${COLUMNS} FROM calls WHERE id = $1`, [id]);
    return row && toCall(row);
  }

  /** Sets only the fields present in `patch` (an undefined value counts as absent); metadata is replaced whole. */
  async update(id: string, patch: CallPatch): Promise<CallRecord | undefined> {
    const params: SqlParam[] = [id];
    const assignments: string[] = [];
    for (const [field, column] of Object.entries(PATCH_COLUMNS) as [keyof CallPatch, string][]) {
      const value = patch[field];
      if (value === undefined) continue;
      if (field === 'metadata') {
        params.push(JSON.stringify(value));
        assignments.push(`${column} = $${params.length}::jsonb`);
      } else {
        params.push(value as SqlParam);
        assignments.push(`${column} = $${params.length}`);
      }
    }
    if (assignments.length === 0) return this.get(id);
    const [row] = await this.db.query<CallRow>(
      `UPDATE calls SET ${assignments.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
      params,
    );
    return row && toCall(row);
  }

  /** Newest first, optionally only one assistant's calls and/or one status. */
  async list(filter: Page & { assistantId?: string; status?: CallStatus } = {}): Promise<CallRecord[]> {
    const { limit, offset } = pageBounds(filter);
    const params: SqlParam[] = [];
    const conditions: string[] = [];
    if (filter.assistantId !== undefined) {
      params.push(filter.assistantId);
      conditions.push(`assistant_id = $${params.length}`);
    }
    if (filter.status !== undefined) {
      params.push(filter.status);
      conditions.push(`status = $${params.length}`);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    params.push(limit, offset);
    const rows = await this.db.query<CallRow>(
      `SELECT ${COLUMNS} FROM calls ${where}
        ORDER BY started_at DESC, id DESC
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map(toCall);
  }
}
