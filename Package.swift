// swift-tools-version:6.0
import PackageDescription

// One target per responsibility; the C libraries are reached through exactly one
// system-library target each, and only the boundary files import them. Sources/ groups the
// targets by program: Plugin/ (conn-plugin), Ingester/ (sys-ingester), Shared/ (what both use)
// and Tools/ (benchmark and test tooling, never shipped). docs/architecture.md maps them.
let package = Package(
    name: "mqtt-conn-truth",
    products: [
        // The Mosquitto plugin. `make build-conn` builds it with the Swift standard
        // library linked in statically and installs it as plugins/conn-plugin.
        .library(name: "conn-plugin", type: .dynamic, targets: ["ConnPlugin"]),
        .executable(name: "sys-ingester", targets: ["SysIngester"]),
        .executable(name: "mqtt-load", targets: ["MQTTLoad"]),
        .executable(name: "conn-sql", targets: ["ConnSQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    ],
    targets: [
        // MARK: C boundaries
        .systemLibrary(name: "CLibpq",
            path: "include/CLibpq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CMosquittoBroker", path: "include/CMosquittoBroker", providers: [.apt(["mosquitto-dev"])]),
        .systemLibrary(
            name: "CMosquitto", path: "include/CMosquitto", pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        // glibc's malloc_trim, for the plugin's writer to give a drained backlog's memory back.
        .systemLibrary(name: "CMalloc", path: "include/CMalloc"),

        // MARK: Shared storage and SQL
        // schema/*.sql compiled in as byte arrays (Sources/Shared/SchemaSQL/schema links to schema/),
        // and applying them at start the same way in both programs (SchemaSetup, its statements in sql/).
        .target(
            name: "SchemaSQL",
            dependencies: ["Storage"],
            path: "Sources/Shared/SchemaSQL",
            resources: [.embedInCode("schema"), .embedInCode("sql")]),
        .target(
            name: "Storage",
            dependencies: ["CLibpq", "Locking", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Shared/Storage"),
        // A lock that owns the state it guards, monotonic clocks and Duration.nanoseconds; Glibc only
        // (no Foundation), so the plugin can use it too.
        .target(name: "Locking", path: "Sources/Shared/Locking"),
        // What both programs do around a maintenance job (retention): the advisory locks and the run
        // record (the files of Sources/Shared/Maintenance/sql/, one statement type each), the
        // schedule, and `RetentionJob`, which both programs drive one bounded step at a time.
        .target(
            name: "Maintenance",
            dependencies: ["Storage", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Shared/Maintenance",
            resources: [.embedInCode("sql")]),

        // MARK: conn-plugin
        // The plugin's statements are the files of Sources/Plugin/ConnRecorder/sql/, compiled in as byte arrays.
        // No run-time exclusivity checks in the code on the broker's thread: callgrind counted about
        // 1,000 instructions per connect+disconnect in swift_beginAccess/endAccess for the
        // recorder's own stored properties (docs/performance.md, "Profile"); the accesses are
        // still checked at compile time, and a trap there would take the broker down anyway.
        .target(
            name: "ConnRecorder",
            dependencies: [
                "Storage", "SchemaSQL", "Locking", "Maintenance", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Plugin/ConnRecorder",
            resources: [.embedInCode("sql")],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(
            name: "ConnPlugin",
            dependencies: [
                "ConnRecorder", "Storage", "Locking", "CMosquittoBroker", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Plugin/ConnPlugin",
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),

        // MARK: sys-ingester
        // The ingester's statements are the files of Sources/Ingester/IngestCore/sql/, compiled in as byte arrays.
        .target(
            name: "IngestCore",
            dependencies: ["Storage", "SchemaSQL", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Ingester/IngestCore",
            resources: [.embedInCode("sql")]),
        // The --config file (YAML) and every check of the ingester's settings, CLI or file.
        .target(
            name: "IngesterConfig",
            dependencies: ["Storage", .product(name: "Yams", package: "Yams")],
            path: "Sources/Ingester/IngesterConfig"),
        // The ingester's runtime: one session per broker over its MQTT connection (libmosquitto in
        // MosquittoClient*.swift, the only importer of CMosquitto), the queue, the ingest loop and its
        // PostgreSQL writer, retention, and each long-running part as a swift-service-lifecycle Service.
        // The broker connection and the database are protocols (BrokerConnection, IngestDatabase), so
        // Tests/IngesterRuntimeTests run the rules with fakes, without a broker or PostgreSQL.
        .target(
            name: "IngesterRuntime",
            dependencies: [
                "IngestCore", "IngesterConfig", "IngesterMetrics", "Storage", "SchemaSQL", "Locking", "Maintenance",
                "CMosquitto",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Ingester/IngesterRuntime"),
        // The program: the command line (swift-argument-parser) and the wiring of the runtime's
        // services, the metrics server and the dashboard into one ServiceGroup.
        .executableTarget(
            name: "SysIngester",
            dependencies: [
                "IngesterRuntime", "IngestCore", "IngesterConfig", "IngesterMetrics", "Dashboard", "Storage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Ingester/SysIngester"),

        // The ingester's Prometheus and health endpoints: metrics declared through swift-metrics,
        // kept in a swift-prometheus registry of their own, served by a small swift-nio HTTP server.
        .target(
            name: "IngesterMetrics",
            dependencies: [
                "IngestCore", "IngesterConfig", "Locking",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/Ingester/IngesterMetrics"),

        // The dashboard's statements as text: the files of Sources/Ingester/DashboardStatements/sql/,
        // compiled in as byte arrays, with their variants per relation (`DashboardSQL`). A target of its
        // own, without Hummingbird or NIO, so that bin/conn-sql serves them to the history bench too.
        .target(
            name: "DashboardStatements",
            dependencies: ["Storage"],
            path: "Sources/Ingester/DashboardStatements",
            resources: [.embedInCode("sql")]),
        // The web dashboard and its JSON API (docs/dashboard.md): read-only pages over the presence and
        // history tables, served by Hummingbird; the queries run on libpq connections of their own,
        // on a thread pool, never on the event loop or the writer's connection. Its statements are
        // DashboardStatements' (one type each in DashboardQueries.swift: bindings and row decoding).
        .target(
            name: "Dashboard",
            dependencies: [
                "DashboardStatements", "Storage", "SchemaSQL", "IngesterConfig", "Locking",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Ingester/Dashboard"),

        // MARK: Test and benchmark tooling
        .target(name: "MQTTWire", path: "Sources/Tools/MQTTWire"),
        // mqtt-load, the benchmarks' load generator (bin/mqtt-load); its command line through
        // swift-argument-parser (LoadOptions.swift).
        .executableTarget(
            name: "MQTTLoad",
            dependencies: [
                "MQTTWire", "Locking", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/MQTTLoad"),
        // The plugin's statements as pgbench scripts, for make bench's baselines, and the dashboard's
        // for BENCH_MODE=history (no second copy of a statement or of its parameter encoding in the
        // scripts). DashboardStatements, not Dashboard: the text without the web server.
        .executableTarget(
            name: "ConnSQL",
            dependencies: [
                "ConnRecorder", "DashboardStatements", "Storage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/ConnSQL"),

        // MARK: Tests
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "LockingTests", dependencies: ["Locking"]),
        // What several test targets use: LogCapture (a Logger whose messages a test reads).
        .target(
            name: "TestSupport", dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"),
        .testTarget(name: "MaintenanceTests", dependencies: ["Maintenance", "Storage", "TestSupport"]),
        .testTarget(name: "SchemaSQLTests", dependencies: ["SchemaSQL", "Storage"]),
        // Fixtures/statements: the write statements' text as the plugin sent it before issue 18's one
        // statement idiom, the oracle of ConnStatementsTests.
        .testTarget(
            name: "ConnRecorderTests", dependencies: ["ConnRecorder", "Storage", "SchemaSQL", "Locking", "Maintenance"],
            exclude: ["Fixtures"]),
        .testTarget(name: "IngestCoreTests", dependencies: ["IngestCore", "SchemaSQL"], exclude: ["Fixtures"]),
        .testTarget(name: "MQTTWireTests", dependencies: ["MQTTWire"]),
        .testTarget(name: "MQTTLoadTests", dependencies: ["MQTTLoad", "MQTTWire"]),
        .testTarget(name: "IngesterMetricsTests", dependencies: ["IngesterMetrics", "IngesterConfig"]),
        .testTarget(name: "IngesterConfigTests", dependencies: ["IngesterConfig"]),
        .testTarget(
            name: "IngesterRuntimeTests",
            dependencies: [
                "IngesterRuntime", "IngestCore", "IngesterConfig", "Storage", "Locking",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Fixtures/statements: every variant of the dashboard's statements as it was before issue 18's
        // one statement idiom, the oracle of DashboardQueriesTests.
        .testTarget(
            name: "DashboardTests",
            dependencies: [
                "Dashboard", "DashboardStatements", "Storage", "SchemaSQL", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Storage", "ConnRecorder", "SchemaSQL", "MQTTWire", "Locking", "IngesterMetrics", "IngesterConfig",
                "Dashboard",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            // Fixtures: a database dump of an earlier release; Browser: the browser tests' selenium
            // driver (python), run as a program, not compiled.
            exclude: ["Fixtures", "Browser"]),
    ]
)
