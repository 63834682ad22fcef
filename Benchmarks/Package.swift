// swift-tools-version: 6.1
// The benchmarks, a package of their own (as swift-nio's are): they measure ktx's libraries
// from outside, and `swift test` at the root never builds them.
//
//     swift run -c release --package-path Benchmarks ktx-bench [operations] [activities] [replicas] [runs]
//
// Run it from the repository root: the peer engines' script is Benchmarks/peers/peers.py.
import PackageDescription

let package = Package(
    name: "ktx-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "ktx", path: ".."),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .executableTarget(
            name: "ktx-bench",
            dependencies: [
                .product(name: "Store", package: "ktx"),
                .product(name: "SyncCore", package: "ktx"),
                .product(name: "FolderHub", package: "ktx"),
                .product(name: "Reporting", package: "ktx"),
                .product(name: "HubServer", package: "ktx"),
                .product(name: "HubStorage", package: "ktx"),
                .product(name: "HubClient", package: "ktx"),
                .product(name: "HubPostgres", package: "ktx"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
