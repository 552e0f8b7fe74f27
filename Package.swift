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

        // The program.
        .executableTarget(
            name: "helpdesk",
            dependencies: ["HelpdeskCore", "SQLiteStore"],
            resources: [.embedInCode("demo/requests.json")]
        ),

        // Tests and measurements.
        .target(name: "HelpdeskTestSupport", dependencies: ["HelpdeskCore", "SQLiteStore"]),
        .executableTarget(
            name: "helpdesk-benchmarks",
            dependencies: ["HelpdeskCore", "SQLiteStore"],
            path: "Benchmarks/Sources"
        ),
        .testTarget(name: "HelpdeskCoreTests", dependencies: ["HelpdeskCore", "HelpdeskTestSupport"]),
        .testTarget(name: "SQLiteStoreTests", dependencies: ["SQLiteStore", "HelpdeskTestSupport"]),
        .testTarget(name: "helpdeskTests", dependencies: ["helpdesk", "HelpdeskTestSupport"]),
    ]
)
