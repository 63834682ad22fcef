import Foundation
import KtxWords
import Store
import SyncCore

/// Random local commands on township and county replicas, mistakes included (a township's
/// indicator value or note, a change to another township's activity, a correction below zero,
/// a township approving a year or the county submitting one):
/// for the property that every operation a local command writes is one every receiver accepts.
public enum LocalCommands {
    /// Runs `steps` commands, each on a random replica, syncing now and then so replicas see
    /// each other's activities (and try to change them).
    ///
    /// - Returns: how many commands wrote something, and how many were refused before writing.
    public static func run(_ stores: [Store], steps: Int, rng: inout SeededGenerator,
                           sync: (Store) async throws -> Void) async throws -> (written: Int, refused: Int) {
        var written = 0, refused = 0
        let indicators = ["科技特派员覆盖率", "满意度"]
        for _ in 0..<steps {
            let store = stores.randomElement(using: &rng)!
            let known = try store.activities()
            let any = known.randomElement(using: &rng)
            do {
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<25:
                    try store.record(ActivityDraft(kind: store.catalog.kinds.randomElement(using: &rng)!.code,
                                                   date: "2023-0\(Int.random(in: 1...9, using: &rng))-15", title: "活动\(rng.next() % 100)",
                                                   quantities: ["attendance": Int64.random(in: 0...80, using: &rng)]))
                case 25..<40 where any != nil:
                    try store.add(to: any!.id, amount: Int64.random(in: -60...40, using: &rng))
                case 40..<50 where any != nil:
                    try store.edit(any!.id, ActivityEdit(title: "改\(rng.next() % 100)"))
                case 50..<55 where any != nil:
                    try store.delete(any!.id)
                case 55..<62 where any?.deleted == true:
                    try store.restore(any!.id)
                case 62..<72:
                    try store.setIndicator(IndicatorKey(year: 2023, project: "rural", indicator: indicators.randomElement(using: &rng)!),
                                           value: String(rng.next() % 101))
                case 72..<78:
                    try store.setIndicatorNote(IndicatorKey(year: 2023, project: "rural", indicator: indicators.randomElement(using: &rng)!),
                                               text: ["汛期停办两次", ""].randomElement(using: &rng)!)
                // The year's close, on any PC, in any state (a township approving, the county
                // submitting, approving what was not submitted: refused before writing).
                case 78..<81:
                    try store.submitYear(2023)
                case 81..<84:
                    try store.approveYear(2023, township: ["河西镇", "东街镇"].randomElement(using: &rng)!)
                case 84..<86:
                    try store.returnYear(2023, township: ["河西镇", "东街镇"].randomElement(using: &rng)!, reason: "缺少签到表")
                default:
                    try await sync(store)
                    continue
                }
                written += 1
            } catch let error as KtxError where error.isBadInput {
                refused += 1
            }
        }
        return (written, refused)
    }
}
