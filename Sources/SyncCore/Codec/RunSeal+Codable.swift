extension RunSeal: Codable {
    // Hex in JSON (headers and HTTP bodies).
    enum CodingKeys: String, CodingKey { case first, last, prev, digest, key, signature }

    /// Reads a seal from JSON, its byte fields as hex; a field of the wrong length is refused.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func bytes(_ key: CodingKeys) throws -> [UInt8] {
            let text = try c.decode(String.self, forKey: key)
            guard let value = Hex.bytes(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not hex")
            }
            return value
        }
        self.init(first: try c.decode(Int64.self, forKey: .first), last: try c.decode(Int64.self, forKey: .last),
                  prev: try bytes(.prev), digest: try bytes(.digest), key: try bytes(.key), signature: try bytes(.signature))
    }

    /// Writes the seal as JSON, its byte fields as hex.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(first, forKey: .first)
        try c.encode(last, forKey: .last)
        try c.encode(Hex.string(prev), forKey: .prev)
        try c.encode(Hex.string(digest), forKey: .digest)
        try c.encode(Hex.string(key), forKey: .key)
        try c.encode(Hex.string(signature), forKey: .signature)
    }
}
