/** The Store over a SqlClient: the same repositories on PGlite and PostgreSQL. */
import type { Store } from '@vapi-cn/sdk-plugin-api';
import { SqlApiKeyRepository } from './repositories/api-keys.js';
import { SqlAssistantRepository } from './repositories/assistants.js';
import { SqlCallEventRepository } from './repositories/call-events.js';
import { SqlCallRepository } from './repositories/calls.js';
import { SqlPhoneNumberRepository } from './repositories/phone-numbers.js';
import type { SqlClient, SqlDriver } from './sql-client.js';

export class SqlStore implements Store {
  readonly driver: SqlDriver;
  readonly assistants: SqlAssistantRepository;
  readonly calls: SqlCallRepository;
  readonly callEvents: SqlCallEventRepository;
  readonly apiKeys: SqlApiKeyRepository;
  readonly phoneNumbers: SqlPhoneNumberRepository;

  /**
   * `client` must already be migrated (openStore does both). It stays reachable for SQL outside
   * the repositories, such as retention jobs.
   */
  constructor(readonly client: SqlClient) {
    this.driver = client.driver;
    this.assistants = new SqlAssistantRepository(client);
    this.calls = new SqlCallRepository(client);
    this.callEvents = new SqlCallEventRepository(client);
    this.apiKeys = new SqlApiKeyRepository(client);
    this.phoneNumbers = new SqlPhoneNumberRepository(client);
  }

  async ping(): Promise<void> {
    await this.client.query('SELECT 1');
  }

  /** Idempotent. */
  close(): Promise<void> {
    return this.client.close();
  }
}
