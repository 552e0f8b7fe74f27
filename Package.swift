// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "helpdesk",
    products: [
        .executable(name: "helpdesk", targets: ["helpdesk"]),
    ],
    targets: [
        // System libraries (Debian: libncurses-dev, libsqlite3-dev, libcurl4-openssl-dev, libpq-dev, libssl-dev).
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPostgreSQL", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),

        // The domain, the ports and the services; Foundation only.
        .target(name: "HelpdeskCore"),

        // Adapters.
        // What both store engines share: the record statements, row mapping, values and times.
        .target(name: "StoreSQL", dependencies: ["HelpdeskCore"]),
        .target(name: "SQLiteStore", dependencies: ["HelpdeskCore", "StoreSQL", "CSQLite"]),
        .target(name: "PostgreSQLStore", dependencies: ["HelpdeskCore", "StoreSQL", "CPostgreSQL"]),
        .target(
            name: "OktaClient",
            dependencies: ["HelpdeskCore", "CCurl", "CCrypto"],
            exclude: ["demo/requests.json"],
            resources: [.embedInCode("demo/tenant.json")]
        ),

        // The service's socket: framing, the server with peer credentials, the client.
        .target(name: "HelpdeskSocket", dependencies: ["HelpdeskCore"]),

        // The console: view model (pure), view (pure drawing), ncurses front end.
        .target(name: "ConsoleViewModel", dependencies: ["HelpdeskCore"]),
        .target(name: "ConsoleView", dependencies: ["ConsoleViewModel"]),
        .target(name: "NcursesFrontEnd", dependencies: ["ConsoleView", "CNcurses"]),

        // The program.
        .executableTarget(
            name: "helpdesk",
            dependencies: ["HelpdeskCore", "StoreSQL", "SQLiteStore", "PostgreSQLStore", "OktaClient", "HelpdeskSocket", "ConsoleViewModel", "ConsoleView", "NcursesFrontEnd"],
            exclude: ["demo/tenant.json"],
            resources: [.embedInCode("demo/requests.json")]
        ),

        // Tests and measurements.
        .target(name: "HelpdeskTestSupport", dependencies: ["HelpdeskCore", "SQLiteStore", "PostgreSQLStore", "OktaClient", "ConsoleViewModel", "CCrypto"]),
        .executableTarget(
            name: "helpdesk-benchmarks",
            dependencies: ["HelpdeskCore", "CSQLite", "SQLiteStore", "PostgreSQLStore", "OktaClient", "HelpdeskSocket", "ConsoleViewModel", "ConsoleView", "NcursesFrontEnd", "HelpdeskTestSupport"],
            path: "Benchmarks/Sources"
        ),
        .testTarget(name: "HelpdeskCoreTests", dependencies: ["HelpdeskCore", "HelpdeskTestSupport", "SQLiteStore", "OktaClient"]),
        .testTarget(name: "SQLiteStoreTests", dependencies: ["SQLiteStore", "StoreSQL", "CSQLite", "HelpdeskTestSupport"]),
        .testTarget(name: "StoreContractTests", dependencies: ["StoreSQL", "SQLiteStore", "PostgreSQLStore", "OktaClient", "HelpdeskTestSupport"]),
        .testTarget(name: "OktaClientTests", dependencies: ["OktaClient", "HelpdeskTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "HelpdeskSocketTests", dependencies: ["HelpdeskSocket", "HelpdeskTestSupport", "SQLiteStore", "OktaClient"]),
        .testTarget(name: "ConsoleViewModelTests", dependencies: ["ConsoleViewModel", "HelpdeskTestSupport", "SQLiteStore", "OktaClient"]),
        .testTarget(name: "ConsoleViewTests", dependencies: ["ConsoleView", "HelpdeskTestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "helpdeskTests", dependencies: ["helpdesk", "HelpdeskTestSupport", "HelpdeskSocket"], exclude: ["Snapshots"]),
        .testTarget(name: "BenchmarkToolTests", dependencies: ["helpdesk-benchmarks", "CSQLite", "HelpdeskCore", "SQLiteStore", "HelpdeskTestSupport"]),
    ]
)
