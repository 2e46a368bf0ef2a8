import type { PoolClient } from 'pg';
import { StoreUnavailableError } from '../errors';

/** Bumped with every migration; a schema written by a newer adapter is refused rather than misread. */
export const POSTGRES_SCHEMA_VERSION = 1;

/**
 * Lowercase so it never needs quoting rules beyond `"…"`, and short enough that `<schema>.appended` stays within
 * PostgreSQL's 63-byte limit for identifiers and NOTIFY channel names.
 */
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,49}$/;

/** Schema-qualified names of everything the adapter uses, built once from a validated schema name. */
export interface SchemaNames {
  readonly schema: string;
  readonly events: string;
  readonly head: string;
  readonly version: string;
  readonly append: string;
  /** The LISTEN/NOTIFY channel every append notifies. */
  readonly channel: string;
}

export function schemaNames(schema: string): SchemaNames {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new StoreUnavailableError(
      `PostgreSQL event store schema ${JSON.stringify(schema)} must match ${SCHEMA_PATTERN.source}`,
    );
  }
  const q = `"${schema}"`;
  return {
    schema,
    events: `${q}.events`,
    head: `${q}.head`,
    version: `${q}.store_version`,
    append: `${q}.append_events`,
    channel: `${schema}.appended`,
  };
}

/**
 * The events table stores data and metadata as `json`, which keeps the text exactly as written (key order,
 * whitespace, `\u0000`) while the server still checks it is JSON; `jsonb` reorders keys and refuses `\u0000`.
 * `head` is the one counter row that serialises position assignment (docs/adr/0009).
 */
function schemaV1(names: SchemaNames): string[] {
  const { events, head, version, append, channel } = names;
  return [
    `CREATE SCHEMA IF NOT EXISTS "${names.schema}"`,
    `CREATE TABLE ${events} (
      position bigint PRIMARY KEY,
      stream_id text NOT NULL,
      revision bigint NOT NULL,
      event_id uuid NOT NULL UNIQUE,
      type text NOT NULL,
      data json NOT NULL,
      metadata json NOT NULL,
      recorded_at timestamptz NOT NULL,
      UNIQUE (stream_id, revision)
    )`,
    `CREATE TABLE ${head} (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      position bigint NOT NULL
    )`,
    `INSERT INTO ${head} (position) VALUES (0)`,
    // One round trip per append. The row lock on head is taken first and held until commit, so the revision read
    // below sees every earlier append (READ COMMITTED takes a new snapshot per statement, and a committing
    // transaction becomes visible before it releases its locks), and positions are assigned, committed and made
    // visible in order. A conflict returns a NULL last_position and writes nothing; any error rolls back the whole
    // statement, head included, so no position is ever skipped. The NOTIFY is delivered at commit.
    `CREATE FUNCTION ${append}(
      p_stream_id text, p_expected text, p_event_ids uuid[], p_types text[], p_data text[], p_metadata text[],
      p_recorded_at timestamptz
    ) RETURNS TABLE (current_revision bigint, last_position bigint) LANGUAGE plpgsql AS $fn$
    DECLARE
      v_count bigint := cardinality(p_event_ids);
      v_head bigint;
      v_current bigint;
      v_recorded timestamptz;
    BEGIN
      SELECT h.position INTO v_head FROM ${head} h FOR UPDATE;
      -- Several instances append with their own clocks: recorded_at never goes backwards along the log, so a reader
      -- may take "recorded by t" to mean "every event up to here" (the rules' deadlines rely on it, docs/adr/0008).
      SELECT greatest(p_recorded_at, (SELECT e.recorded_at FROM ${events} e WHERE e.position = v_head))
        INTO v_recorded;
      SELECT coalesce(max(e.revision), -1) INTO v_current FROM ${events} e WHERE e.stream_id = p_stream_id;
      IF NOT (p_expected = 'any'
          OR (p_expected = 'no_stream' AND v_current = -1)
          OR (p_expected = 'stream_exists' AND v_current >= 0)
          OR (p_expected ~ '^[0-9]+$' AND p_expected::bigint = v_current)) THEN
        RETURN QUERY SELECT v_current, NULL::bigint;
        RETURN;
      END IF;
      INSERT INTO ${events} (position, stream_id, revision, event_id, type, data, metadata, recorded_at)
      SELECT v_head + u.n, p_stream_id, v_current + u.n, u.id, u.type, u.data::json, u.metadata::json, v_recorded
      FROM unnest(p_event_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS u(id, type, data, metadata, n);
      UPDATE ${head} SET position = v_head + v_count;
      PERFORM pg_notify('${channel}', (v_head + v_count)::text);
      RETURN QUERY SELECT v_current + v_count, v_head + v_count;
    END
    $fn$`,
    `CREATE TABLE ${version} (version integer NOT NULL)`,
    `INSERT INTO ${version} (version) VALUES (${POSTGRES_SCHEMA_VERSION})`,
  ];
}

/**
 * Creates the schema on first open and checks its version on every open. The transaction-scoped advisory lock makes
 * two processes opening a new schema at once create it once (CREATE … IF NOT EXISTS alone races on the catalog).
 */
export async function migrate(client: PoolClient, names: SchemaNames): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('ffb-hub event store ' || $1))`, [names.schema]);
    const found = await client.query<{ has_version: boolean; has_events: boolean }>(
      `SELECT to_regclass($1) IS NOT NULL AS has_version, to_regclass($2) IS NOT NULL AS has_events`,
      [names.version, names.events],
    );
    const { has_version: hasVersion, has_events: hasEvents } = found.rows[0] ?? {};
    if (hasVersion) {
      const version = (await client.query<{ version: number }>(`SELECT max(version) AS version FROM ${names.version}`))
        .rows[0]?.version;
      if (version === undefined || version === null || version > POSTGRES_SCHEMA_VERSION) {
        throw new StoreUnavailableError(
          `Event store schema ${names.schema} has version ${String(version)}, ` +
            `not one this adapter (version ${POSTGRES_SCHEMA_VERSION}) can read`,
        );
      }
    } else if (hasEvents) {
      throw new StoreUnavailableError(
        `Schema ${names.schema} holds an events table that this adapter did not create; refusing to use it`,
      );
    } else {
      for (const statement of schemaV1(names)) await client.query(statement);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
