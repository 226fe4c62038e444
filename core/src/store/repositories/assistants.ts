/** Assistants stored in the database (others may come from the config file). */
import { randomUUID } from 'node:crypto';
import type { Assistant, AssistantRepository, Page } from '@vapi-cn/sdk-plugin-api';
import type { SqlClient } from '../sql-client.js';
import { pageBounds } from './page.js';

interface AssistantRow {
  id: string;
  name: string;
  config: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, config, created_at, updated_at';

function toAssistant(row: AssistantRow): Assistant {
  return { id: row.id, name: row.name, config: row.config, createdAt: row.created_at, updatedAt: row.updated_at };
}

export class SqlAssistantRepository implements AssistantRepository {
  constructor(private readonly db: SqlClient) {}

  async create(input: { id?: string; name: string; config?: Record<string, unknown> }): Promise<Assistant> {
    const [row] = await this.db.query<AssistantRow>(
      `INSERT INTO assistants (id, name, config) VALUES ($1, $2, $3::jsonb) RETURNING ${COLUMNS}`,
      [input.id ?? randomUUID(), input.name, JSON.stringify(input.config ?? {})],
    );
    return toAssistant(row);
  }

  async get(id: string): Promise<Assistant | undefined> {
    const [row] = await this.db.query<AssistantRow>(`SELECT ${COLUMNS} FROM assistants WHERE id = $1`, [id]);
    return row && toAssistant(row);
  }

  /** Newest first. */
  async list(page?: Page): Promise<Assistant[]> {
    const { limit, offset } = pageBounds(page);
    const rows = await this.db.query<AssistantRow>(
      `SELECT ${COLUMNS} FROM assistants ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    return rows.map(toAssistant);
  }

  async update(id: string, patch: { name?: string; config?: Record<string, unknown> }): Promise<Assistant | undefined> {
    // NULL means "keep": name is NOT NULL and config is never SQL NULL, so COALESCE is exact.
    const [row] = await this.db.query<AssistantRow>(
      `UPDATE assistants
          SET name = COALESCE($2, name), config = COALESCE($3::jsonb, config), updated_at = now()
        WHERE id = $1
        RETURNING ${COLUMNS}`,
      [id, patch.name ?? null, patch.config === undefined ? null : JSON.stringify(patch.config)],
    );
    return row && toAssistant(row);
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.query(`DELETE FROM assistants WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  }
}
