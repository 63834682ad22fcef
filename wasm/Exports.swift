// The exports of `ktx-core.wasm`: one call in (`ktx_call`, a JSON request in the module's
// memory), its answer out (`ktx_answer` points at it, `ktx_call` returned its length). The
// page writes a request into memory it took with `malloc`, and frees it after the call. The
// module holds one page replica (`open` makes it) between calls.
import CoreCalls

/// The last answer, kept until the next call.
nonisolated(unsafe) var answer: [UInt8] = []
/// The page's replica, once opened.
nonisolated(unsafe) var page: PageReplica?

/// Answers the request of `length` bytes at `request`; returns the answer's length.
@_expose(wasm, "ktx_call")
@_cdecl("ktx_call")
public func ktxCall(_ request: UnsafePointer<UInt8>, _ length: Int32) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: request, count: Int(length)))
    answer = Array(CoreCall.answer(bytes, page: &page).utf8)
    return Int32(answer.count)
}

/// Where the last answer's bytes are.
@_expose(wasm, "ktx_answer")
@_cdecl("ktx_answer")
public func ktxAnswer() -> UnsafePointer<UInt8>? {
    answer.withUnsafeBufferPointer { $0.baseAddress }
}
