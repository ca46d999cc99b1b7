import ArgumentParser
import Dashboard
import Foundation
import IngestCore
import IngesterConfig
import IngesterMetrics
import Logging
import Storage

/// `sys-ingester`: subscribes to mosquitto brokers' `$SYS/broker/#` and writes their metrics and
/// log lines into the WatchMQTT tables (seed 001): one broker from the command line, or many from
/// a `--config` file, each with its own connection and one PostgreSQL writer for all.
@main
struct SysIngester: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sys-ingester",
        abstract: "Record mosquitto brokers' $SYS metrics and log lines in PostgreSQL.",
        discussion: """
            Subscribes to $SYS/broker/# on mosquitto brokers (2.0 or 2.1) and fills the tables \
            broker_metrics, events, clients, sessions and subscriptions (schema/010_sys_ingester.sql, \
            created at start when missing, with the views of schema/020_views.sql). One broker comes \
            from the options below; many from --config FILE (YAML: see sys-ingester.example.yaml), \
            each with its own connection and backoff, all written by one PostgreSQL writer.

            The broker must publish its log as messages. Add to mosquitto.conf:
              log_dest topic
              log_type error
              log_type warning
              log_type notice
              log_type information
              log_type subscribe
              log_type unsubscribe
              sys_interval 10
            and let this client read $SYS/# (ACL) if the broker uses ACLs.

            Reconnects to the brokers and to PostgreSQL by itself. SIGINT or SIGTERM stops it after \
            the current transaction. Exit status: 0 after a stop, 64 for a bad command line or \
            config file, 1 when a broker connection cannot be set up.

            Example (password and database from the environment):
              export PG_DSN='host=127.0.0.1 dbname=mqtt user=ingest'
              export SYS_INGESTER_PASSWORD=secret
              sys-ingester --host broker.local --username watcher --broker-name prod-1
              sys-ingester --config /etc/sys-ingester/fleet.yaml
            """)

    // MARK: Config file

    @Option(
        help: ArgumentHelp(
            "A YAML file listing brokers and the shared settings; replaces every other option but --log-level.",
            valueName: "path"))
    var config: String?

    // MARK: Broker

    @Option(help: "Broker host name or address (default: 127.0.0.1).")
    var host: String?

    @Option(help: "Broker port, 1-65535 (default: 1883).")
    var port: Int?

    @Option(help: "MQTT username for the broker.")
    var username: String?

    @Option(
        help: ArgumentHelp(
            "MQTT password. Better: the environment variable SYS_INGESTER_PASSWORD (options show in ps).",
            valueName: "password"))
    var password: String?

    @Option(
        help:
            "MQTT client id (default: sys-ingester-<8 hex digits>, the same for the same broker, name and database, so a restart resumes the broker session). Must be unique on the broker."
    )
    var clientID: String?

    @Option(help: "The value of the broker column (default: host:port).")
    var brokerName: String?

    @Option(
        name: .customLong("protocol"),
        help: ArgumentHelp(
            "MQTT protocol version: mqttv31, mqttv311 (default) or mqttv5.", valueName: "version"))
    var protocolVersion: String?

    @Option(help: "MQTT keepalive in seconds, 5-65535 (default: 60).")
    var keepalive: Int?

    // MARK: TLS

    @Option(help: "PEM file of the CA certificates that sign the broker's certificate; enables TLS.")
    var cafile: String?

    @Option(help: "Directory of PEM CA certificates (c_rehash layout); enables TLS.")
    var capath: String?

    @Option(help: "Client certificate (PEM) for TLS client authentication; needs --key.")
    var cert: String?

    @Option(help: "Private key (PEM, unencrypted) of --cert.")
    var key: String?

    @Flag(help: "Do not check that the broker's certificate matches --host (testing only).")
    var tlsInsecure = false

    // MARK: PostgreSQL

    @Option(
        help: ArgumentHelp(
            "libpq connection string or postgres:// URI. Default: the environment variable PG_DSN.",
            valueName: "conninfo"))
    var dsn: String?

    // MARK: Behaviour

    @Option(help: "Log level: trace, debug, info (default), notice, warning, error or critical.")
    var logLevel: String?

    @Option(
        help: "A burst ends after this many milliseconds without a message, 1-10000 (default: 200).")
    var burstWindowMs: Int?

    @Option(help: "The most messages written in one transaction, 1-100000 (default: 2000).")
    var maxBurst: Int?

    @Option(
        help:
            "The most messages kept in memory while PostgreSQL is unavailable, 100-10000000 (default: 200000)."
    )
    var maxQueue: Int?

    @Option(
        help:
            "Delete broker_metrics, events, closed sessions and inactive subscriptions older than this many days, at start and every --maintenance-interval; 0-36500, 0 keeps everything (default: 0)."
    )
    var retentionDays: Int?

    @Option(
        help: "Delete broker_metrics_rollup buckets older than this many days; 0-36500, 0 keeps them (default: 0).")
    var rollupRetentionDays: Int?

    @Option(help: "Seconds between maintenance (retention) runs, 1-86400 (default: 3600); the first runs at start.")
    var maintenanceInterval: Int?

    @Option(
        help: ArgumentHelp(
            "Serve Prometheus /metrics, /healthz and /readyz on HOST:PORT, e.g. 127.0.0.1:9234 (default: off; overrides metrics_listen of --config).",
            valueName: "host:port"))
    var metricsListen: String?

    // MARK: Dashboard

    @Option(
        help: ArgumentHelp(
            "Serve the web dashboard and its JSON API on HOST:PORT, e.g. 127.0.0.1:9235 (default: off). Without broker options (--host, --port, ...) only the dashboard runs.",
            valueName: "host:port"))
    var uiListen: String?

    @Option(
        help: ArgumentHelp(
            "A file holding the token every dashboard page and API call must carry (Authorization: Bearer <token>, or the login form's cookie).",
            valueName: "path"))
    var uiTokenFile: String?

    @Option(
        help: ArgumentHelp(
            "The database the dashboard and the presence gauges read (e.g. a hot standby). Default: the --dsn database.",
            valueName: "conninfo"))
    var uiDSN: String?
}
