/// Decimal numbers as text, the way budget tables and the hub's JSON write them (`2000`, `0.5`,
/// `95.25`), without Foundation: the web app's core has no number formatter.
public enum DecimalText {
    /// `value` rounded to `places` decimals (at most 9), trailing zeros dropped: `0.5`, `2000`,
    /// `-1.25`; nil for a value that is not finite or too large to write.
    public static func format(_ value: Double, places: Int = 6) -> String? {
        guard value.isFinite else { return nil }
        let places = Swift.min(Swift.max(places, 0), 9)
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let magnitude = (value < 0 ? -value : value) * Double(scale)
        guard magnitude < 9e18 else { return nil }
        let scaled = Int64(magnitude + 0.5)  // half away from zero; `rounded()` needs libm, which the wasm has not
        var fraction = String(scaled % scale)
        while fraction.utf8.count < places { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return sign + String(scaled / scale) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// The number a decimal text writes: digits with at most one `.` and an optional leading
    /// `-`; nil for anything else (no exponent, no separators).
    public static func parse(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes.removeFirst() }
        guard !bytes.isEmpty, bytes.count <= 30 else { return nil }
        var whole = 0.0
        var fraction = 0.0
        var divisor = 1.0
        var seenDot = false
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenDot else { return nil }
                seenDot = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Double(byte - UInt8(ascii: "0"))
            digits += 1
            if seenDot {
                divisor *= 10
                fraction = fraction * 10 + digit
            } else {
                whole = whole * 10 + digit
            }
        }
        guard digits > 0 else { return nil }
        let value = whole + fraction / divisor
        return negative ? -value : value
    }
}
