import Synchronization

/// Answers to `/v1/totals` kept until the next push changes the hub: a county's dashboards
/// ask the same few questions over and over, and the data changes only when an office pushes.
///
/// Every successful push moves the generation on *after* it has committed; an answer is
/// kept under the generation read *before* its query ran, so an answer that may predate a
/// push is never served after that push.
final class TotalsCache: Sendable {
    private struct State {
        var generation = 0
        var answers: [String: (generation: Int, body: String)] = [:]
    }

    private let state = Mutex(State())
    /// The most answers kept (distinct queries); beyond it the cache starts afresh.
    let capacity: Int

    init(capacity: Int = 256) { self.capacity = capacity }

    /// The generation to read before running a query.
    var generation: Int { state.withLock { $0.generation } }

    /// The kept answer to a query, if nothing was pushed since it was computed.
    func answer(_ query: String) -> String? {
        state.withLock { s in s.answers[query].flatMap { $0.generation == s.generation ? $0.body : nil } }
    }

    /// Keeps an answer computed from data read at `generation`.
    func keep(_ body: String, for query: String, computedAt generation: Int) {
        state.withLock { s in
            guard generation == s.generation else { return }
            if s.answers.count >= capacity { s.answers = [:] }
            s.answers[query] = (generation, body)
        }
    }

    /// Called after a push has committed.
    func invalidate() { state.withLock { $0.generation += 1 } }
}
