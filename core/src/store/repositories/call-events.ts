/** The timeline of a call (transcripts, latencies, status changes...), append-only. */
import type { CallEvent, CallEventRepository } from '@vapi-cn/sdk-plugin-api';
import type { SqlClient, SqlParam } from '../sql-client.js';

interface CallEventRow {
  id: number;
  call_id: string;
  type: string;
  payload: Record<string, unknown>;
  at: Date;
}

const COLUMNS = 'id, call_id, type, payload, at';

function toEvent(row: CallEventRow): CallEvent {
  return { id: row.id, callId: row.call_id, type: row.type, payload: row.payload, at: row.at };
}

export class SqlCallEventRepository implements CallEventRepository {
  constructor(private readonly db: SqlClient) {}

  /** Fails with VAPI_ERR_STORE_REFERENCE when the call does not exist. */
  async append(callId: string, type: string, payload: Record<string, unknown>, at?: Date): Promise<CallEvent> {
    const [row] = await this.db.query<CallEventRow>(
      `INSERT INTO call_events (call_id, type, payload, at)
       VALUES ($1, $2, $3::jsonb, COALESCE($4::timestamptz, now()))
       RETURNING ${COLUMNS}`,
      [callId, type, JSON.stringify(payload), at ?? null],
    );
    return toEvent(row);
  }

  /** In append order. */
  async list(callId: string, filter: { type?: string } = {}): Promise<CallEvent[]> {
    const params: SqlParam[] = [callId];
    let typeCondition = '';
    if (filter.type !== undefined) {
      params.push(filter.type);
      typeCondition = 'AND type = $2';
    }
    const rows = await this.db.query<CallEventRow>(
      `SELECT ${COLUMNS} FROM call_events WHERE call_id = $1 ${typeCondition} ORDER BY id`,
      params,
    );
    return rows.map(toEvent);
  }
}
