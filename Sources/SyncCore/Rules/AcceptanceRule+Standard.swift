extension AcceptanceRule {
    /// The rule of the catalog compiled into this binary.
    public static let standard = AcceptanceRule(catalog: .standard)

    /// The rule of the catalog compiled into this binary.
    public init() { self.init(catalog: .standard) }
}

extension RefusalReason: Codable {}
