/// The schema data compiled into the binary: the activity catalog and the SQL migrations.
public enum KtxSchema {
    /// The activity catalog (`Schema/catalog.json`) as UTF-8 bytes.
    public static var catalogJSON: [UInt8] { PackageResources.catalog_json }

    /// Every migration, in the order it must run, as (stable identifier, SQL text).
    public static let migrations: [(identifier: String, sql: String)] = [
        ("0001_replica", String(decoding: PackageResources.m0001_replica_sql, as: UTF8.self)),
        ("0002_hub", String(decoding: PackageResources.m0002_hub_sql, as: UTF8.self)),
        ("0003_indicator", String(decoding: PackageResources.m0003_indicator_sql, as: UTF8.self)),
        ("0004_chunks_and_totals", String(decoding: PackageResources.m0004_chunks_and_totals_sql, as: UTF8.self)),
        ("0005_activity_writers", String(decoding: PackageResources.m0005_activity_writers_sql, as: UTF8.self)),
        ("0006_catalog_state", String(decoding: PackageResources.m0006_catalog_state_sql, as: UTF8.self)),
        ("0007_published", String(decoding: PackageResources.m0007_published_sql, as: UTF8.self)),
        ("0008_hub_replica_role", String(decoding: PackageResources.m0008_hub_replica_role_sql, as: UTF8.self)),
        ("0009_signatures", String(decoding: PackageResources.m0009_signatures_sql, as: UTF8.self)),
        ("0010_confirmed", String(decoding: PackageResources.m0010_confirmed_sql, as: UTF8.self)),
        ("0011_governed_hubs", String(decoding: PackageResources.m0011_governed_hubs_sql, as: UTF8.self)),
        ("0012_restored", String(decoding: PackageResources.m0012_restored_sql, as: UTF8.self)),
        ("0013_notes", String(decoding: PackageResources.m0013_notes_sql, as: UTF8.self)),
        ("0014_hub_pushes", String(decoding: PackageResources.m0014_hub_pushes_sql, as: UTF8.self)),
        ("0015_chunk_newest", String(decoding: PackageResources.m0015_chunk_newest_sql, as: UTF8.self)),
        ("0016_county_cells", String(decoding: PackageResources.m0016_county_cells_sql, as: UTF8.self)),
        ("0017_township_cells", String(decoding: PackageResources.m0017_township_cells_sql, as: UTF8.self)),
        ("0018_replica_role", String(decoding: PackageResources.m0018_replica_role_sql, as: UTF8.self)),
        ("0019_chunk_sum", String(decoding: PackageResources.m0019_chunk_sum_sql, as: UTF8.self)),
        ("0020_year_close", String(decoding: PackageResources.m0020_year_close_sql, as: UTF8.self)),
        ("0021_year_close_accept", String(decoding: PackageResources.m0021_year_close_accept_sql, as: UTF8.self)),
    ]

    /// The performance targets shipped with ktx (`Schema/targets/YEAR.yaml`), by year, as
    /// (file name, UTF-8 text).
    /// (SwiftPM names an embedded file that starts with a digit by replacing that digit
    /// with `_`: `2020.yaml` is `_020_yaml`.)
    public static let targets: [Int: (name: String, text: String)] = [
        2020: ("2020.yaml", String(decoding: PackageResources._020_yaml, as: UTF8.self)),
        2023: ("2023.yaml", String(decoding: PackageResources._023_yaml, as: UTF8.self)),
    ]

    /// The scoring rules shipped with ktx (`Schema/scoring/`): the national default, and an
    /// example with 偏离 penalties and execution-rate caps, as (file name, UTF-8 text).
    public static let scoring: [(name: String, text: String)] = [
        ("national.yaml", String(decoding: PackageResources.national_yaml, as: UTF8.self)),
        ("example-caps.yaml", String(decoding: PackageResources.example_caps_yaml, as: UTF8.self)),
    ]
}
