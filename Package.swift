// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ktx",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ktx", targets: ["ktx-cli"]),
        .library(name: "SyncCore", targets: ["SyncCore"]),
        .library(name: "KtxWords", targets: ["KtxWords"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "FolderHub", targets: ["FolderHub"]),
        // For the benchmarks package (Benchmarks/), which measures these from outside.
        .library(name: "Reporting", targets: ["Reporting"]),
        .library(name: "HubServer", targets: ["HubServer"]),
        .library(name: "HubClient", targets: ["HubClient"]),
        .library(name: "HubStorage", targets: ["HubStorage"]),
        .library(name: "HubPostgres", targets: ["HubPostgres"]),
        .library(name: "Web", targets: ["Web"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // `swift package generate-documentation --target SyncCore --target Store`: the DocC
        // catalogs in Sources/SyncCore and Sources/Store (CI builds them, warnings refused).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Data, not code: SQL migrations and the activity catalog, embedded into the binary
        // so an installed `ktx` needs no resource bundle beside it.
        .target(
            name: "KtxSchema",
            path: "Schema",
            exclude: ["README.md"],
            resources: [
                .embedInCode("catalog.json"),
                // Every file of migrations/ (each listed once, in KtxSchema.migrations).
                .embedInCode("migrations"),
                .embedInCode("targets/2020.yaml"),
                .embedInCode("targets/2023.yaml"),
                .embedInCode("scoring/national.yaml"),
                .embedInCode("scoring/example-caps.yaml"),
            ]
        ),
        // The rules every replica shares, the browser's too: ids, the hybrid clock, operations
        // and their packed codec, the bytes a run's seal signs, the acceptance rule, the merge
        // rules, version vectors. Written in the subset of Swift that Embedded Swift compiles
        // to WebAssembly (no Foundation, no Codable, typed throws): `scripts/build-wasm.sh`
        // builds the same files into `ktx-core.wasm` for the offline web app.
        .target(name: "KtxCore"),
        // The core's rules as calls of JSON text: the door of the offline web app to KtxCore
        // (in WebAssembly), answered the same natively (the conformance vectors).
        .target(name: "CoreCalls", dependencies: ["KtxCore"]),
        // The model around the core: the catalog compiled in, JSON forms, the hub protocol,
        // errors. No file I/O, no SQLite, no HTTP, no Crypto.
        .target(
            name: "SyncCore",
            dependencies: ["KtxCore", "KtxSchema"]
        ),
        // The words of the core's errors and of what a sync or a check reports, in Chinese and
        // English, for the edges that show them (the CLI, the pages, the hub's answers): the
        // layers below hold codes and facts only.
        .target(
            name: "KtxWords",
            dependencies: ["SyncCore", "Store"]
        ),
        // The hub that is a folder (shared drive, USB stick): the twin of HubClient.
        .target(
            name: "FolderHub",
            dependencies: [
                "SyncCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // glibc's mallopt, which Swift's Glibc module does not bring (ProcessMemory).
        .target(name: "CMalloc"),
        .target(
            name: "Store",
            dependencies: [
                "SyncCore",
                "KtxSchema",
                "CMalloc",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The performance tables (targets files) and the report computed from merged records.
        .target(
            name: "Reporting",
            dependencies: [
                "Store",
                "SyncCore",
                "KtxSchema",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The hub's storage: the backend protocol and its SQLite backend, tokens and roles, the
        // acceptance of pushes and the pull plan, on top of a replica's Store.
        .target(
            name: "HubStorage",
            dependencies: [
                "Store",
                "SyncCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The county's HTTP hub: a library, so `ktx hub serve` and the tests run the same builder.
        // It serves whichever backend it is given (`any HubBackend`); the CLI chooses it.
        .target(
            name: "HubServer",
            dependencies: [
                "CoreCalls",
                "Reporting",
                "KtxWords",
                "Store",
                "SyncCore",
                "HubStorage",
                "Web",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The hub's store on PostgreSQL: several `ktx hub serve` nodes on one database.
        .target(
            name: "HubPostgres",
            dependencies: [
                "Store",
                "HubStorage",
                "SyncCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The pages: the county's dashboard (on the hub, or `ktx dashboard`) and the clerk's
        // forms (`ktx ui`), from Mustache templates and assets compiled into the binary.
        .target(
            name: "Web",
            dependencies: [
                "KtxSchema",
                "KtxWords",
                "Store",
                "HubStorage",
                "SyncCore",
                "Reporting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Templates/layout.mustache"),
                .embedInCode("Templates/login.mustache"),
                .embedInCode("Templates/overview.mustache"),
                .embedInCode("Templates/townships.mustache"),
                .embedInCode("Templates/activities.mustache"),
                .embedInCode("Templates/activity.mustache"),
                .embedInCode("Templates/admin.mustache"),
                .embedInCode("Templates/indicator.mustache"),
                .embedInCode("Templates/message.mustache"),
                .embedInCode("Templates/clerk_home.mustache"),
                .embedInCode("Templates/clerk_form.mustache"),
                .embedInCode("Templates/clerk_activity.mustache"),
                .embedInCode("Templates/clerk_sync.mustache"),
                .embedInCode("Assets/app.css"),
                .embedInCode("Assets/app.js"),
                // The offline app (`/app`); its core, ktx-core.wasm, is built by
                // scripts/build-wasm.sh and read by `ktx hub serve` at start.
                .embedInCode("App"),
            ]
        ),
        // The client side of the HTTP hub.
        .target(
            name: "HubClient",
            dependencies: [
                "SyncCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Writes `ktx record`'s quantity options from the catalog (run by the plugin below).
        .executableTarget(
            name: "catalog-options",
            path: "Sources/catalog-options"
        ),
        .plugin(
            name: "CatalogOptions",
            capability: .buildTool(),
            dependencies: ["catalog-options"]
        ),
        .executableTarget(
            name: "ktx-cli",
            dependencies: [
                "KtxWords",
                "KtxSchema",
                "Store",
                "SyncCore",
                "FolderHub",
                "HubServer",
                "HubStorage",
                "HubPostgres",
                "HubClient",
                "Reporting",
                "Web",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["CatalogOptions"]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["Store", "SyncCore", "FolderHub", "KtxWords"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "SyncCoreTests", dependencies: ["KtxWords", "SyncCore", "CoreCalls", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["KtxWords", "Store", "SyncCore", "FolderHub", "TestSupport", "KtxSchema", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "FolderHubTests", dependencies: ["KtxWords", "FolderHub", "Store", "HubStorage", "SyncCore", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ReportingTests", dependencies: ["CoreCalls", "KtxWords", "Reporting", "Store", "SyncCore", "TestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(
            name: "HubTests",
            dependencies: [
                "HubServer", "HubClient", "HubStorage", "HubPostgres", "Store", "SyncCore", "TestSupport", "Web", "Reporting", "KtxWords",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "KtxCLITests",
            dependencies: ["ktx-cli", "TestSupport", "Store", "HubStorage", "SyncCore", "Reporting", "KtxSchema", "KtxWords", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
