import Foundation
import Store
import SyncCore

/// What a report or form rests on (issue 30): where each township's year stands here, whether
/// the county closed its own year, and how many amendments since approval it leaves out.
public struct ApprovalSummary: Sendable, Equatable {
    /// One township's standing.
    public struct Township: Sendable, Equatable {
        /// The township.
        public var township: String
        /// Where its year stands.
        public var state: YearClose.State
        /// When the county approved or returned it, or the township submitted it (Unix ms).
        public var atMillis: Int64?
    }

    /// Every township this replica knows of, with where its year stands.
    public var townships: [Township]
    /// Whether the county closed its own year.
    public var countyClosed: Bool
    /// Operations left out of the year's figures because they change an approved township's
    /// year after its approval.
    public var amendments: Int

    /// Where the year stands on this replica.
    public static func build(year: Int, store: Store) throws -> ApprovalSummary {
        let standings = try store.yearStates(year)
        return ApprovalSummary(
            townships: standings.map { s in
                let at: Int64? = switch s.standing.state {
                case .approved, .returned: s.standing.decided?.stamp.timestamp.millis
                case .submitted: s.standing.submitted?.stamp.timestamp.millis
                case .notSubmitted: nil
                }
                return Township(township: s.township, state: s.standing.state, atMillis: at)
            },
            countyClosed: try store.countyYearClosed(year),
            amendments: try store.amendments(year: year).count)
    }
}

extension ReportRenderer {
    /// A state of a year in the renderer's language (未提交, 已提交待批准, 已退回, 已批准).
    public func stateWord(_ state: YearClose.State) -> String {
        switch state {
        case .notSubmitted: pick("未提交", "not submitted")
        case .submitted: pick("已提交待批准", "submitted, not approved yet")
        case .returned: pick("已退回", "returned")
        case .approved: pick("已批准", "approved")
        }
    }

    /// One line: the approval the figures rest on, and the amendments they leave out.
    public func approvalLine(_ approval: ApprovalSummary) -> String {
        guard !approval.townships.isEmpty || approval.countyClosed else {
            return pick("审核状态：尚无乡镇提交本年度，数字未经批准", "Approval: no township has submitted this year; the figures are not approved")
        }
        let parts = approval.townships.map { t in
            "\(t.township) \(stateWord(t.state))" + (t.state == .approved ? t.atMillis.map { "（\(Self.day($0))）" } ?? "" : "")
        }
        var line = pick("审核状态：", "Approval: ") + parts.joined(separator: pick("、", ", "))
        if approval.countyClosed { line += pick("；县科协已关闭本年度", "; the county has closed the year") }
        if approval.amendments > 0 {
            line += pick("；批准后的更正 \(approval.amendments) 条，未计入", "; \(approval.amendments) amendments since approval, not counted")
        }
        return line
    }

    func approvalJSON(_ approval: ApprovalSummary) -> JSONValue {
        .object([
            ("townships", .array(approval.townships.map { t in
                .object([("township", .string(t.township)), ("state", .string(t.state.rawValue)),
                         ("at", t.atMillis.map { .string(Self.day($0)) } ?? .null)])
            })),
            ("county_closed", .bool(approval.countyClosed)),
            ("amendments_not_counted", .int(approval.amendments)),
        ])
    }
}
