/**
 * The inbox rows that mention a value (in their key or in the payload the surface stored), read straight
 * from PostgreSQL: how a test counts the rows one inbound event made, whatever key they are under.
 */
import pg from 'pg';

export async function inboxRowsMentioning(
  connectionString: string,
  value: string,
): Promise<Array<{ key: string; status: string; attempts: number }>> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const rows = await client.query<{ key: string; status: string; attempts: number }>(
      'SELECT key, status, attempts FROM inbox WHERE strpos(key, $1) > 0 OR strpos(payload::text, $1) > 0 ORDER BY key',
      [value],
    );
    return rows.rows;
  } finally {
    await client.end();
  }
}
