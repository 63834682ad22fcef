// The shared core (KtxCore, compiled from the same Swift files as the PC's ktx) in the page:
// one call in, its answer out, as JSON text. Timestamps travel as strings of digits (64 bits
// do not fit a JavaScript number), bytes as hex. See Sources/CoreCalls/CoreCall.swift.

/** Instantiates ktx-core.wasm from its bytes (an ArrayBuffer or a typed array). */
export async function loadCore(bytes) {
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const exports = instance.exports;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  /** Sends a request (JSON text) and returns the answer (JSON text). */
  function callText(text) {
    const request = encoder.encode(text);
    const at = exports.malloc(Math.max(request.length, 1));
    if (at === 0) throw new Error('ktx-core: out of memory');
    new Uint8Array(exports.memory.buffer, at, request.length).set(request);
    let length;
    try {
      length = exports.ktx_call(at, request.length);
    } finally {
      exports.free(at);
    }
    return decoder.decode(new Uint8Array(exports.memory.buffer, exports.ktx_answer(), length));
  }

  return {
    callText,
    /** Sends a request object; returns the answer object (`{error}` for a refused request). */
    call(request) {
      return JSON.parse(callText(JSON.stringify(request)));
    },
    /** Bytes of memory the core holds now. */
    get memoryBytes() {
      return exports.memory.buffer.byteLength;
    },
  };
}
