/// The statements the writer runs. Every value is a `$n` parameter; timestamps travel as epoch
/// seconds (`float8`) and are stored as UTC `TIMESTAMP`s, the seed's column type.
package enum IngestSQL {
    /// Which of `IngestSchema.requiredRelations` are missing ($1: text[] of names).
    package static let missingRelations = """
        SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL
        """

    /// Serialises schema creation between processes starting at once on a fresh database.
    package static let schemaLock = "SELECT pg_advisory_xact_lock(7231403360217463)"

    /// One row per metric of the burst. $1 broker, $2 metric[], $3 value[], $4 ts[].
    package static let insertMetrics = """
        INSERT INTO broker_metrics (broker, metric, value, ts)
        SELECT $1, m.metric, m.value, to_timestamp(m.ts) AT TIME ZONE 'UTC'
        FROM unnest($2::text[], $3::float8[], $4::float8[]) AS m (metric, value, ts)
        """

    /// One row per log line of the burst, in order. $1 broker, then one array per column.
    package static let insertEvents = """
        INSERT INTO events (broker, ts, action, client, topic, qos, username, raw)
        SELECT $1, to_timestamp(e.ts) AT TIME ZONE 'UTC', e.action, e.client, e.topic, e.qos, e.username, e.raw
        FROM unnest($2::float8[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[])
          WITH ORDINALITY AS e (ts, action, client, topic, qos, username, raw, n)
        ORDER BY e.n
        """

    /// $1 client, $2 username, $3 first_seen, $4 last_seen, $5 whether $2 replaces the username.
    package static let upsertClient = """
        INSERT INTO clients (client, username, first_seen, last_seen)
        VALUES ($1, $2, to_timestamp($3::float8) AT TIME ZONE 'UTC', to_timestamp($4::float8) AT TIME ZONE 'UTC')
        ON CONFLICT (client) DO UPDATE SET
          username = CASE WHEN $5::bool THEN EXCLUDED.username ELSE clients.username END,
          first_seen = LEAST(clients.first_seen, EXCLUDED.first_seen),
          last_seen = GREATEST(clients.last_seen, EXCLUDED.last_seen)
        """

    /// A disconnect whose "client" may be a peer address: touch an existing row only.
    /// $1 client, $2 last_seen.
    package static let touchClient = """
        UPDATE clients SET last_seen = GREATEST(last_seen, to_timestamp($2::float8) AT TIME ZONE 'UTC')
        WHERE client = $1
        """

    /// Closes the client's open session(s) at this broker. $1 broker, $2 client, $3 end_ts.
    package static let closeSession = """
        UPDATE sessions SET end_ts = GREATEST(start_ts, to_timestamp($3::float8) AT TIME ZONE 'UTC')
        WHERE broker = $1 AND client = $2 AND end_ts IS NULL
        """

    /// Opens a session. $1 broker, $2 client, $3 username, $4 start_ts.
    package static let openSession = """
        INSERT INTO sessions (client_id, client, username, start_ts, broker)
        SELECT (SELECT id FROM clients WHERE client = $2), $2, $3, to_timestamp($4::float8) AT TIME ZONE 'UTC', $1
        """

    /// Closes every open session at this broker except those of $2. $1 broker, $2 text[], $3 end_ts.
    package static let closeAllSessions = """
        UPDATE sessions SET end_ts = GREATEST(start_ts, to_timestamp($3::float8) AT TIME ZONE 'UTC')
        WHERE broker = $1 AND end_ts IS NULL AND NOT (client = ANY ($2::text[]))
        """

    /// $1 broker, $2 client, $3 topic, $4 qos, $5 ts.
    package static let subscribe = """
        INSERT INTO subscriptions (session_id, client, topic, qos, active, created_at, updated_at)
        VALUES (
          (SELECT id FROM sessions WHERE broker = $1 AND client = $2 AND end_ts IS NULL
           ORDER BY start_ts DESC, id DESC LIMIT 1),
          $2, $3, $4, TRUE, to_timestamp($5::float8) AT TIME ZONE 'UTC', to_timestamp($5::float8) AT TIME ZONE 'UTC')
        ON CONFLICT (client, topic) DO UPDATE SET
          session_id = EXCLUDED.session_id, qos = EXCLUDED.qos, active = TRUE, updated_at = EXCLUDED.updated_at
        """

    /// $1 broker, $2 client, $3 topic, $4 ts. The stored qos is kept (an unsubscribe has none).
    package static let unsubscribe = """
        INSERT INTO subscriptions (session_id, client, topic, qos, active, created_at, updated_at)
        VALUES (
          (SELECT id FROM sessions WHERE broker = $1 AND client = $2 AND end_ts IS NULL
           ORDER BY start_ts DESC, id DESC LIMIT 1),
          $2, $3, 0, FALSE, to_timestamp($4::float8) AT TIME ZONE 'UTC', to_timestamp($4::float8) AT TIME ZONE 'UTC')
        ON CONFLICT (client, topic) DO UPDATE SET
          session_id = EXCLUDED.session_id, active = FALSE, updated_at = EXCLUDED.updated_at
        """

    /// Clients with an open session at this broker, for the tracker at start. $1 broker.
    package static let openClients = """
        SELECT DISTINCT client FROM sessions WHERE broker = $1 AND end_ts IS NULL AND client IS NOT NULL
        """

    /// The latest stored uptime of this broker and its ingest time (epoch seconds). $1 broker.
    package static let lastUptime = """
        SELECT value, extract(epoch FROM ts)::float8 FROM broker_metrics
        WHERE broker = $1 AND metric = 'uptime' ORDER BY ts DESC, id DESC LIMIT 1
        """
}
