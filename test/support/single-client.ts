import mysql from 'mysql2';
import pg from 'pg';
import { open, type Handle } from '../../src/index.js';

/**
 * A handle opened on one driver client (not a URL or a pool), as a user who passes their own
 * connection gets: what --parallel must refuse. The client is closed after `use`.
 */
export async function withSingleClient(
  dialect: 'postgres' | 'mysql',
  url: string,
  use: (db: Handle) => Promise<void>,
): Promise<void> {
  const client =
    dialect === 'postgres' ? new pg.Client({ connectionString: url }) : mysql.createConnection({ uri: url });
  if (client instanceof pg.Client) await client.connect();
  const db = await open(client);
  try {
    await use(db);
  } finally {
    await db.close();
    if (client instanceof pg.Client) await client.end();
    else client.end();
  }
}
