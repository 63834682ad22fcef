import Logging
import Reporting
import SyncCore

/// How `ktx hub serve` runs the county hub.
public struct HubConfiguration: Sendable {
    /// The hub's SQLite database; created on first use. On a shared database (PostgreSQL),
    /// this node's copy of the hub (its view), which it rebuilds when missing.
    public var databasePath: String
    /// The address the hub listens on.
    public var host: String
    /// The port; 0 picks a free one (tests).
    public var port: Int
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes: Int
    /// How far in the future an operation's timestamp may be, in milliseconds.
    public var maxClockSkewMillis: Int64
    /// The most operations one pull page returns.
    public var maxPullLimit: Int
    /// Where the hub logs requests and failures.
    public var logger: Logger
    /// How long a dashboard session lasts from login, in seconds.
    public var sessionSeconds: Int
    /// How long a connection may send nothing (idle between requests, or stalled in the middle
    /// of one) before the hub closes it, in seconds.
    public var idleTimeoutSeconds: Double = 30
    /// The most connections one client address may hold open at once.
    public var maxConnectionsPerAddress: Int = 128
    /// The offline app's core (`ktx-core.wasm`) served at `/app/ktx-core.wasm`; nil when none
    /// is installed (the app then says so).
    public var appCore: [UInt8]?
    /// The performance tables served at `GET /v1/targets`, by year: the shipped years, and any
    /// year the county wrote and gave with `ktx hub serve --targets`.
    public var targets: [Targets] = TargetsParser.builtInYears.compactMap { try? TargetsParser.builtIn(year: $0, catalog: .standard) }

    /// The hub's settings; every limit has a default the tests and the service use.
    public init(databasePath: String, host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 8 << 20,
                maxClockSkewMillis: Int64 = 24 * 3_600_000, maxPullLimit: Int = 10_000,
                logger: Logger = Logger(label: "ktx.hub"), sessionSeconds: Int = 8 * 3600) {
        self.databasePath = databasePath
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxClockSkewMillis = maxClockSkewMillis
        self.maxPullLimit = maxPullLimit
        self.logger = logger
        self.sessionSeconds = sessionSeconds
    }
}
