/// The schema data compiled into the binary: the activity catalog and the SQL migrations.
public enum KtxSchema {
    /// The activity catalog (`Schema/catalog.json`) as UTF-8 bytes.
    public static var catalogJSON: [UInt8] { PackageResources.catalog_json }

    /// Every migration, in the order it must run, as (stable identifier, SQL text).
    public static let migrations: [(identifier: String, sql: String)] = [
        ("0001_replica", String(decoding: PackageResources.m0001_replica_sql, as: UTF8.self)),
        ("0002_hub", String(decoding: PackageResources.m0002_hub_sql, as: UTF8.self)),
    ]
}
