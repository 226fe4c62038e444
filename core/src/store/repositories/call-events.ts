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

interface PendingAppend {
  params: [string, string, string, Date];
  resolve(event: CallEvent): void;
  reject(error: unknown): void;
}

/** Rows per INSERT: 4 parameters each, far below PostgreSQL's 65,535. */
const MAX_BATCH = 500;

/**
 * Appends are written in batches: a call writes a handful of events per turn, hundreds of calls
 * write them around the same moments, and one multi-row INSERT costs little more than one row
 * (on PGlite, a tenth per row). One batch is in flight at a time; what arrives meanwhile forms the
 * next, so batches grow with load and an idle server writes at once. Order is kept: ids follow
 * append order.
 */
export class SqlCallEventRepository implements CallEventRepository {
  private queue: PendingAppend[] = [];
  private flushing = false;

  constructor(private readonly db: SqlClient) {}

  /**
   * Resolves once written. Fails with VAPI_ERR_STORE_REFERENCE when the call does not exist (that
   * append only: the others of its batch are written).
   */
  append(callId: string, type: string, payload: Record<string, unknown>, at?: Date): Promise<CallEvent> {
    return new Promise((resolve, reject) => {
      // The time of the event, not of the batch that writes it.
      this.queue.push({ params: [callId, type, JSON.stringify(payload), at ?? new Date()], resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // After the current task's other appends (a microtask, so no timer stands between an
        // event and its write on an idle server).
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const rows = await this.insert(batch);
        batch.forEach((pending, i) => pending.resolve(toEvent(rows[i]!)));
      } catch {
        // One bad row (a call that does not exist) fails the whole statement: write the rows one
        // by one, so each append gets its own outcome.
        for (const pending of batch) {
          await this.insert([pending]).then(([row]) => pending.resolve(toEvent(row!)), pending.reject);
        }
      }
    }
    this.flushing = false;
  }

  private async insert(batch: PendingAppend[]): Promise<CallEventRow[]> {
    const values = batch.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}::jsonb, $${i * 4 + 4}::timestamptz)`);
    const rows = await this.db.query<CallEventRow>(
      `INSERT INTO call_events (call_id, type, payload, at) VALUES ${values.join(', ')} RETURNING ${COLUMNS}`,
      batch.flatMap((pending) => pending.params),
    );
    // Ids are drawn in VALUES order; sort, since RETURNING promises no order.
    return rows.sort((a, b) => a.id - b.id);
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
