/** Number routes created through the API; the number router caches them all. */
import type { Page, PhoneNumberRepository, PhoneNumberRoute } from '@vapi-cn/sdk-plugin-api';
import type { SqlClient } from '../sql-client.js';
import { pageBounds } from './page.js';

interface PhoneNumberRow {
  pattern: string;
  assistant_id: string;
  label: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'pattern, assistant_id, label, created_at, updated_at';

// Byte order, so both drivers list the same way whatever the database's collation.
const ORDER = 'ORDER BY pattern COLLATE "C"';

function toRoute(row: PhoneNumberRow): PhoneNumberRoute {
  return { pattern: row.pattern, assistantId: row.assistant_id, label: row.label, createdAt: row.created_at, updatedAt: row.updated_at };
}

export class SqlPhoneNumberRepository implements PhoneNumberRepository {
  constructor(private readonly db: SqlClient) {}

  async create(input: { pattern: string; assistantId: string; label?: string | null }): Promise<PhoneNumberRoute> {
    const [row] = await this.db.query<PhoneNumberRow>(
      `INSERT INTO phone_numbers (pattern, assistant_id, label) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [input.pattern, input.assistantId, input.label ?? null],
    );
    return toRoute(row!);
  }

  async get(pattern: string): Promise<PhoneNumberRoute | undefined> {
    const [row] = await this.db.query<PhoneNumberRow>(`SELECT ${COLUMNS} FROM phone_numbers WHERE pattern = $1`, [pattern]);
    return row && toRoute(row);
  }

  async list(page?: Page): Promise<PhoneNumberRoute[]> {
    const { limit, offset } = pageBounds(page);
    const rows = await this.db.query<PhoneNumberRow>(`SELECT ${COLUMNS} FROM phone_numbers ${ORDER} LIMIT $1 OFFSET $2`, [limit, offset]);
    return rows.map(toRoute);
  }

  async all(): Promise<PhoneNumberRoute[]> {
    const rows = await this.db.query<PhoneNumberRow>(`SELECT ${COLUMNS} FROM phone_numbers ${ORDER}`);
    return rows.map(toRoute);
  }

  async update(pattern: string, patch: { assistantId?: string; label?: string | null }): Promise<PhoneNumberRoute | undefined> {
    // assistant_id is NOT NULL, so NULL means "keep"; label may be cleared, so it has its own flag.
    const [row] = await this.db.query<PhoneNumberRow>(
      `UPDATE phone_numbers
          SET assistant_id = COALESCE($2, assistant_id),
              label = CASE WHEN $4 THEN $3 ELSE label END,
              updated_at = now()
        WHERE pattern = $1
        RETURNING ${COLUMNS}`,
      [pattern, patch.assistantId ?? null, patch.label ?? null, patch.label !== undefined],
    );
    return row && toRoute(row);
  }

  async delete(pattern: string): Promise<boolean> {
    const rows = await this.db.query(`DELETE FROM phone_numbers WHERE pattern = $1 RETURNING pattern`, [pattern]);
    return rows.length > 0;
  }
}
