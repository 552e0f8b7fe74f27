// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "helpdesk",
    products: [
        .executable(name: "helpdesk", targets: ["helpdesk"]),
    ],
    targets: [
        // System libraries (Debian: libncurses-dev, libsqlite3-dev).
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),

        // The domain, the ports and the services; Foundation only.
        .target(name: "HelpdeskCore"),

        // Adapters.
        .target(name: "SQLiteStore", dependencies: ["HelpdeskCore", "CSQLite"]),
        .target(
            name: "OktaClient",
            dependencies: ["HelpdeskCore"],
            exclude: ["demo/requests.json"],
            resources: [.embedInCode("demo/tenant.json")]
        ),

        // The program.
        .executableTarget(
            name: "helpdesk",
            dependencies: ["HelpdeskCore", "SQLiteStore", "OktaClient"],
            exclude: ["demo/tenant.json"],
            resources: [.embedInCode("demo/requests.json")]
        ),

        // Tests and measurements.
        .target(name: "HelpdeskTestSupport", dependencies: ["HelpdeskCore", "SQLiteStore", "OktaClient"]),
        .executableTarget(
            name: "helpdesk-benchmarks",
            dependencies: ["HelpdeskCore", "SQLiteStore", "OktaClient", "HelpdeskTestSupport"],
            path: "Benchmarks/Sources"
        ),
        .testTarget(name: "HelpdeskCoreTests", dependencies: ["HelpdeskCore", "HelpdeskTestSupport", "SQLiteStore", "OktaClient"]),
        .testTarget(name: "SQLiteStoreTests", dependencies: ["SQLiteStore", "HelpdeskTestSupport"]),
        .testTarget(name: "OktaClientTests", dependencies: ["OktaClient", "HelpdeskTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "helpdeskTests", dependencies: ["helpdesk", "HelpdeskTestSupport"]),
    ]
)
