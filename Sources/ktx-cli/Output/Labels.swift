import Foundation
import Reporting
import Store
import SyncCore

/// Column headers and field names in the user's language.
struct Labels {
    let language: Language
    let catalog: Catalog

    func field(_ field: Field) -> String { ChangeText(language: language, catalog: catalog).field(field) }

    var id: String { language.pick(zh: "编号", en: "id") }
    var activities: String { language.pick(zh: "活动数", en: "activities") }
    var status: String { language.pick(zh: "状态", en: "status") }
    var deleted: String { language.pick(zh: "已删除", en: "deleted") }

    func group(_ key: GroupKey) -> String {
        switch key {
        case .township: field(.township)
        case .kind: field(.kind)
        case .quarter: language.pick(zh: "季度", en: "quarter")
        case .month: language.pick(zh: "月份", en: "month")
        }
    }

    func metric(_ metric: Metric) -> String { metric.displayName(language) }

    func kindName(_ code: String?) -> String { catalog.kindName(code: code, language) }

    /// A unix-milliseconds time in the local time zone, `2026-11-21 10:22:05`.
    static func time(_ millis: Int64) -> String {
        var seconds = time_t(millis / 1000)
        var t = tm()
        localtime_r(&seconds, &t)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(t.tm_year + 1900)-\(two(t.tm_mon + 1))-\(two(t.tm_mday)) \(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec))"
    }
}

/// How activities are written out as tables, JSON and CSV.
struct ActivityPresenter {
    let labels: Labels
    var catalog: Catalog { labels.catalog }

    /// An activity as a JSON object: fields, kind by Chinese name, every metric.
    func json(_ a: ActivityRecord) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(a.id.rawValue)),
            ("township", .optional(a.township)),
            ("kind", .optional(a.kind.map { catalog.kind(code: $0)?.name ?? $0 })),
            ("date", .optional(a.date)),
            ("title", .optional(a.title)),
            ("venue", .optional(a.venue)),
            ("project", .optional(a.project)),
            ("notes", .optional(a.notes)),
            ("deleted", .bool(a.deleted)),
        ]
        for metric in catalog.metrics {
            members.append((metric.code, .number(metric.format(a.quantities[metric.code] ?? 0))))
        }
        return .object(members)
    }

    /// The CSV header in the chosen language; `ktx import` reads either.
    var csvHeader: [String] {
        ActivityColumn.header(labels.language, metrics: catalog.metrics)
    }

    func csv(_ a: ActivityRecord) -> [String] {
        [a.id.rawValue, a.date ?? "", a.township ?? "", a.kind.map { catalog.kind(code: $0)?.name ?? $0 } ?? "",
         a.title ?? "", a.venue ?? "", a.project ?? ""]
            + catalog.metrics.map { $0.format(a.quantities[$0.code] ?? 0) } + [a.notes ?? ""]
    }

    /// Activities as one Excel sheet: the CSV's columns, quantities as numbers (cost in
    /// yuan with two decimals, the others with thousands separators).
    func workbook(_ records: [ActivityRecord], year: String?) -> Workbook {
        var sheet = Workbook.Sheet(name: labels.language.pick(zh: year.map { "\($0)年活动" } ?? "活动", en: year.map { "activities \($0)" } ?? "activities"))
        sheet.landscape = true
        sheet.footer = Workbook.pageNumbers(labels.language)
        sheet.widths = [16, 11, 9, 12, 28, 14, 12] + catalog.metrics.map { _ in 9 } + [30]
        sheet.append(csvHeader.map { .text($0, .heading) })
        for a in records {
            var row: [Workbook.Cell] = [.text(a.id.rawValue), .text(a.date ?? ""), .text(a.township ?? ""),
                                        .text(a.kind.map { catalog.kind(code: $0)?.name ?? $0 } ?? ""), .text(a.title ?? ""),
                                        .text(a.venue ?? ""), .text(a.project ?? "")]
            for metric in catalog.metrics {
                let stored = a.quantities[metric.code] ?? 0
                row.append(metric.scale == 1 ? .number(Double(stored), .integer) : .number(Double(stored) / Double(metric.scale), .decimal))
            }
            row.append(.text(a.notes ?? ""))
            sheet.append(row)
        }
        var book = Workbook()
        book.sheets = [sheet]
        return book
    }

    /// The list table: id, date, township, kind, title, then the metrics any row has.
    func table(_ records: [ActivityRecord]) -> TextTable {
        let metrics = catalog.metrics.filter { m in m.code == "attendance" || records.contains { $0.quantities[m.code] != nil } }
        var table = TextTable(
            headers: [labels.id, labels.field(.date), labels.field(.township), labels.field(.kind), labels.field(.title)]
                + metrics.map(labels.metric),
            alignments: Array(repeating: .left, count: 5) + Array(repeating: .right, count: metrics.count))
        for a in records {
            table.append([a.id.rawValue, a.date ?? "", a.township ?? "", labels.kindName(a.kind), a.title ?? ""]
                + metrics.map { $0.format(a.quantities[$0.code] ?? 0) })
        }
        return table
    }

    /// One activity as label/value lines.
    func detail(_ a: ActivityRecord) -> String {
        var pairs: [(String, String)] = [(labels.id, a.id.rawValue)]
        for field in Field.allCases {
            let value = field == .kind ? labels.kindName(a.kind) : (a[field] ?? "")
            pairs.append((labels.field(field), value))
        }
        for metric in catalog.metrics where a.quantities[metric.code] != nil || metric.code == "attendance" {
            pairs.append((labels.metric(metric), metric.format(a.quantities[metric.code] ?? 0) + (labels.language == .zh ? " " + metric.unit : labels.language.unit(metric.unit))))
        }
        if a.deleted { pairs.append((labels.status, labels.deleted)) }
        let width = pairs.map { displayWidth($0.0) }.max() ?? 0
        return pairs.map { $0.0 + String(repeating: " ", count: width - displayWidth($0.0) + 2) + $0.1 }
            .joined(separator: "\n")
    }
}
