// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ktx",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ktx", targets: ["ktx-cli"]),
        .library(name: "SyncCore", targets: ["SyncCore"]),
        .library(name: "Store", targets: ["Store"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
                .embedInCode("migrations/m0001_replica.sql"),
            ]
        ),
        .target(
            name: "SyncCore",
            dependencies: [
                "KtxSchema",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Store",
            dependencies: [
                "SyncCore",
                "KtxSchema",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ktx-cli",
            dependencies: [
                "Store",
                "SyncCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["Store", "SyncCore"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "SyncCore", "TestSupport"]),
        .testTarget(
            name: "KtxCLITests",
            dependencies: ["ktx-cli", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
