import Foundation
import KtxSchema
import SyncCore
import Yams

/// How a self-evaluation form scores (issue 30): data beside the targets (`Schema/scoring/`),
/// the national default shipped, a county's own profile read from a file and checked like a
/// targets file, naming the line of a mistake.
public struct ScoringProfile: Sendable, Equatable {
    /// An execution rate below which the total is capped.
    public struct Cap: Sendable, Equatable {
        /// An execution rate (percent) below this…
        public var below: Double
        /// …caps the total at this.
        public var maxTotal: Double
    }

    /// The profile's name, as forms print it.
    public var name: String
    /// A "≥" indicator at or above this percent of its target is 偏离 (nil: no such rule).
    public var deviationAbove: Double?
    /// What 偏离 costs, percent of the indicator's 分值.
    public var deviationPointsLost: Double
    /// Whether 偏离 needs a 偏差原因分析.
    public var deviationNeedsReason: Bool
    /// By rising `below`: the first one the execution rate is under caps the total.
    public var caps: [Cap]
    /// Whether a project with no activity scores full points on its cost indicators (else 0).
    public var costWithoutActivityFull: Bool

    /// The national default, as shipped.
    public static let national: ScoringProfile = {
        // The shipped file is checked by the tests: it always parses.
        // swift-format-ignore: NeverUseForceTry
        try! parse(KtxSchema.scoring[0].text, name: KtxSchema.scoring[0].name)
    }()

    /// The cap on a total for an execution rate (percent), if any.
    public func cap(executionRate: Double?) -> Double? {
        guard let rate = executionRate else { return nil }
        return caps.first { rate < $0.below }?.maxTotal
    }

    /// Reads a profile, naming the line of the first mistake.
    ///
    /// - Throws: ``KtxError`` `bad-targets`.
    public static func parse(_ text: String, name file: String) throws -> ScoringProfile {
        func problem(_ line: Int, _ zh: String, _ en: String) -> KtxError {
            KtxError(.badTargets, zh: "\(file) 第 \(line) 行：\(zh)", en: "\(file) line \(line): \(en)")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw problem(1, "文件是空的", "the file is empty") }
            root = node
        } catch let error as YamlError {
            throw problem(1, "不是有效的 YAML（\(error)）", "not valid YAML (\(error))")
        }
        guard let top = root.mapping else { throw problem(root.mark?.line ?? 1, "应为“名称:”“偏离:”等键值", "expected keys such as 名称 and 偏离") }
        let known: Set<String> = ["名称", "偏离", "执行率封顶", "无活动时成本指标"]
        for key in top.keys {
            guard let k = key.string, known.contains(k) else {
                throw problem(key.mark?.line ?? 1, "不认识的键“\(key.string ?? "")”（可用：名称、偏离、执行率封顶、无活动时成本指标）",
                              "unknown key '\(key.string ?? "")' (known: 名称, 偏离, 执行率封顶, 无活动时成本指标)")
            }
        }
        func number(_ node: Node?, _ what: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let node else { return nil }
            guard let v = node.scalar.flatMap({ Double($0.string) }), range.contains(v) else {
                throw problem(node.mark?.line ?? 1, "\(what)应为 \(Int(range.lowerBound)) 到 \(Int(range.upperBound)) 之间的数",
                              "\(what) must be a number from \(Int(range.lowerBound)) to \(Int(range.upperBound))")
            }
            return v
        }
        guard let nameNode = top["名称"], let name = nameNode.string, !name.isEmpty else {
            throw problem(root.mark?.line ?? 1, "缺少“名称”", "名称 (name) is missing")
        }
        var profile = ScoringProfile(name: name, deviationAbove: nil, deviationPointsLost: 0, deviationNeedsReason: false,
                                     caps: [], costWithoutActivityFull: false)
        if let deviation = top["偏离"] {
            guard let d = deviation.mapping else { throw problem(deviation.mark?.line ?? 1, "“偏离”应写阈值、扣分比例、须说明原因", "偏离 takes 阈值, 扣分比例, 须说明原因") }
            profile.deviationAbove = try number(d["阈值"], "阈值", 100...1000)
            profile.deviationPointsLost = try number(d["扣分比例"], "扣分比例", 0...100) ?? 0
            if let reason = d["须说明原因"] {
                switch reason.string {
                case "是", "true", "yes": profile.deviationNeedsReason = true
                case "否", "false", "no": profile.deviationNeedsReason = false
                default: throw problem(reason.mark?.line ?? 1, "“须说明原因”应为 是 或 否", "须说明原因 must be 是 or 否")
                }
            }
        }
        if let capsNode = top["执行率封顶"] {
            guard let list = capsNode.sequence else { throw problem(capsNode.mark?.line ?? 1, "“执行率封顶”应为列表", "执行率封顶 must be a list") }
            for item in list {
                guard let m = item.mapping, let below = try number(m["低于"], "低于", 0...100),
                      let max = try number(m["总分上限"], "总分上限", 0...100) else {
                    throw problem(item.mark?.line ?? 1, "每一项应写“低于”和“总分上限”", "each item takes 低于 and 总分上限")
                }
                if let last = profile.caps.last, below <= last.below {
                    throw problem(item.mark?.line ?? 1, "“低于”应从小到大排列", "低于 must rise from item to item")
                }
                profile.caps.append(Cap(below: below, maxTotal: max))
            }
        }
        if let cost = top["无活动时成本指标"] {
            switch cost.string {
            case "满分": profile.costWithoutActivityFull = true
            case "零分": profile.costWithoutActivityFull = false
            default: throw problem(cost.mark?.line ?? 1, "“无活动时成本指标”应为 满分 或 零分", "无活动时成本指标 must be 满分 or 零分")
            }
        }
        return profile
    }
}
