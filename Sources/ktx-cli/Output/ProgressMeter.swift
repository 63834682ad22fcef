import Foundation
import Store
import SyncCore
import Synchronization

/// Shows how a long sync is going, on stderr: a bar redrawn in place on a terminal,
/// plain lines otherwise. Syncs of a few batches print nothing.
final class ProgressMeter: Sendable {
    private struct State {
        var started = ContinuousClock.now
        /// When progress was last reported: a new phase began about then (its first report
        /// comes only after its first batch, which must count in its rate).
        var lastUpdate = ContinuousClock.now
        var lastPhase: SyncProgress.Phase?
        var lastPrinted = ContinuousClock.now - .seconds(10)
        var drewBar = false
    }

    private let language: Language
    private let terminal: Bool
    /// Syncs of a few batches (up to three) are quick enough to need no progress.
    private let minimum: Int
    private let state = Mutex(State())

    init(language: Language, batchSize: Int, terminal: Bool = Console.stderrIsTerminal) {
        self.language = language
        self.minimum = 3 * batchSize + 1
        self.terminal = terminal
    }

    func update(_ progress: SyncProgress) {
        guard progress.total >= minimum else { return }
        state.withLock { s in
            let now = ContinuousClock.now
            defer { s.lastUpdate = now }
            if s.lastPhase != progress.phase {
                if s.drewBar { FileHandle.standardError.write(Data("\n".utf8)) }
                s.lastPhase = progress.phase
                s.started = s.lastUpdate
            }
            let elapsed = now - s.started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            // A rate over less than a second says nothing (one batch in a few milliseconds).
            let rate = seconds >= 1 ? Int(Double(progress.done) / seconds) : nil
            let verb = progress.phase == .push ? language.pick(zh: "推送", en: "push") : language.pick(zh: "拉取", en: "pull")
            let percent = progress.total > 0 ? min(100, 100 * progress.done / progress.total) : 100
            let rateText = rate.map { language.pick(zh: "，\($0) 条/秒", en: ", \($0) ops/s") } ?? ""
            if terminal {
                let width = 30
                let filled = progress.total > 0 ? min(width, width * progress.done / progress.total) : width
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                FileHandle.standardError.write(Data("\r\(verb) [\(bar)] \(progress.done)/\(progress.total)\(rateText)\u{1B}[K".utf8))
                s.drewBar = true
            } else if now - s.lastPrinted >= .seconds(2) || progress.done >= progress.total {
                FileHandle.standardError.write(Data(language.pick(zh: "\(verb) \(progress.done)/\(progress.total)（\(percent)%）\(rateText)\n",
                                                                  en: "\(verb) \(progress.done)/\(progress.total) (\(percent)%)\(rateText)\n").utf8))
                s.lastPrinted = now
            }
        }
    }

    func finish() {
        state.withLock { s in
            if s.drewBar { FileHandle.standardError.write(Data("\n".utf8)) }
            s.drewBar = false
        }
    }
}
