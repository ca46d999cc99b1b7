import Storage

/// The plugin's SQL. Values always travel as parameters; a batch of events is a handful of
/// array parameters expanded by `unnest`, so one statement (one round trip, one implicit
/// transaction) writes the history rows and the presence upserts of up to `batchSize` events.
package enum ConnStatements {
    /// Writes a batch: INSERT into client_conn_events (skipping event keys already stored when the
    /// key index exists) and UPSERT client_sessions with each client's latest event.
    ///
    /// Presence rules (seed 000 section 4, raised by issue "never a ghost"):
    /// - connect sets last_connect_ts and clears last_disconnect_ts; disconnect sets
    ///   last_disconnect_ts and keeps last_connect_ts (or takes the batch's own connect);
    /// - forward only: a row is never overwritten by an older event;
    /// - a disconnect from broker A never marks offline a client whose current connection is
    ///   through broker B.
    package static func writeBatch(idempotent: Bool) -> PreparedStatement {
        let conflict = idempotent ? "ON CONFLICT ((extra->>'event_key')) DO NOTHING" : ""
        let sql = """
            WITH input AS (
                SELECT ord, timestamptz 'epoch' + ts_us * interval '1 microsecond' AS ts,
                       event_type, client_id, username, peer, protocol, reason_code, extra
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::integer[], $8::jsonb[])
                     WITH ORDINALITY AS t(ts_us, event_type, client_id, username, peer, protocol, reason_code,
                                          extra, ord)
            ),
            history AS (
                INSERT INTO client_conn_events (ts, event_type, client_id, username, peer, protocol, reason_code, extra)
                SELECT ts, event_type, client_id, username, peer, protocol, reason_code, extra FROM input ORDER BY ord
                \(conflict)
                RETURNING 1
            ),
            latest AS (
                SELECT DISTINCT ON (client_id) * FROM input ORDER BY client_id, ts DESC, ord DESC
            ),
            connects AS (
                SELECT client_id, max(ts) AS connect_ts FROM input WHERE event_type = 'connect' GROUP BY client_id
            ),
            presence AS (
                INSERT INTO client_sessions AS s (client_id, username, last_event_ts, last_event_type, last_connect_ts,
                                                  last_disconnect_ts, last_peer, last_protocol, last_reason_code, extra)
                SELECT l.client_id, l.username, l.ts, l.event_type,
                       CASE WHEN l.event_type = 'connect' THEN l.ts ELSE c.connect_ts END,
                       CASE WHEN l.event_type = 'disconnect' THEN l.ts END,
                       l.peer, l.protocol, l.reason_code, l.extra
                FROM latest l LEFT JOIN connects c USING (client_id)
                ON CONFLICT (client_id) DO UPDATE SET
                    username = EXCLUDED.username,
                    last_event_ts = EXCLUDED.last_event_ts,
                    last_event_type = EXCLUDED.last_event_type,
                    last_connect_ts = COALESCE(EXCLUDED.last_connect_ts, s.last_connect_ts),
                    last_disconnect_ts = EXCLUDED.last_disconnect_ts,
                    last_peer = EXCLUDED.last_peer,
                    last_protocol = EXCLUDED.last_protocol,
                    last_reason_code = EXCLUDED.last_reason_code,
                    extra = EXCLUDED.extra
                WHERE s.last_event_ts <= EXCLUDED.last_event_ts
                  AND (EXCLUDED.last_event_type = 'connect'
                       OR s.last_event_type = 'disconnect'
                       OR s.extra->>'broker_id' IS NOT DISTINCT FROM EXCLUDED.extra->>'broker_id')
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM history), (SELECT count(*) FROM presence)
            """
        return PreparedStatement(name: idempotent ? "conn_write_batch_keyed" : "conn_write_batch", sql: sql)
    }

    /// The parameters of `writeBatch` for `events`, in order.
    package static func batchParameters<Events: Collection<ConnEvent>>(_ events: Events) -> [PostgresValue?] {
        var timestamps = PostgresArrayLiteral()
        var kinds = PostgresArrayLiteral()
        var clientIDs = PostgresArrayLiteral()
        var usernames = PostgresArrayLiteral()
        var peers = PostgresArrayLiteral()
        var protocols = PostgresArrayLiteral()
        var reasons = PostgresArrayLiteral()
        var extras = PostgresArrayLiteral()
        for event in events {
            timestamps.append(event.timestampMicros)
            kinds.append(event.kind.rawValue)
            clientIDs.append(event.clientID)
            usernames.append(event.username)
            peers.append(event.peer)
            protocols.append(event.protocol)
            reasons.append(event.reasonCode.map(Int64.init))
            extras.append(event.extraJSON)
        }
        return [
            timestamps.value, kinds.value, clientIDs.value, usernames.value, peers.value, protocols.value,
            reasons.value, extras.value,
        ]
    }

    /// Sets the session's statement_timeout ($1, e.g. `1000ms`), so the server itself abandons a
    /// statement the plugin stopped waiting for.
    package static let setStatementTimeout = "SELECT set_config('statement_timeout', $1, false)"

    /// Which of the plugin's objects exist: `(tables, eventKeyIndex)`.
    package static let inspectSchema = """
        SELECT to_regclass('client_conn_events') IS NOT NULL AND to_regclass('client_sessions') IS NOT NULL,
               to_regclass('client_conn_events_event_key_idx') IS NOT NULL
        """

    /// Runs (boot ids) other than `$2` that still show clients connected through broker `$1`.
    package static let staleRuns = """
        SELECT DISTINCT COALESCE(extra->>'boot_id', '') FROM client_sessions
        WHERE last_event_type = 'connect' AND extra->>'broker_id' = $1 AND extra->>'boot_id' IS DISTINCT FROM $2
        """

    /// Clients still shown connected through broker `$1` by run `$2`, with the latest time that run
    /// is known to have been alive (its newest event in the presence table).
    package static let staleSessions = """
        WITH run AS (
            SELECT * FROM client_sessions
            WHERE extra->>'broker_id' = $1 AND COALESCE(extra->>'boot_id', '') = $2
        )
        SELECT client_id, username, last_peer, last_protocol,
               (extract(epoch FROM (SELECT max(last_event_ts) FROM run)) * 1000000)::bigint,
               COALESCE((extra->>'connection_seq')::bigint, 0)
        FROM run
        WHERE last_event_type = 'connect'
        ORDER BY client_id
        """

    /// Every run holds a session-level advisory lock on its writer connection, keyed by its boot
    /// id. Taking another run's lock succeeds only when that run's connection is gone: it crashed
    /// or was killed. So a second broker that shares the broker id (two brokers on one host with
    /// the default id) never closes the sessions of one that is still running.
    package static let tryLockRun = "SELECT pg_try_advisory_lock($1::bigint)"
    package static let unlockRun = "SELECT pg_advisory_unlock($1::bigint)"

    /// The advisory-lock key of a run: its 64-bit random boot id, or a hash of other text.
    package static func runLockKey(_ bootID: String) -> Int64 {
        if bootID.utf8.count == 16, let value = UInt64(bootID, radix: 16) { return Int64(bitPattern: value) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in bootID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
