import SyncCore

extension Targets {
    /// A project by its key, code or name, or a clear error naming the choices.
    public func project(resolving text: String) throws -> Project {
        guard let p = project(named: text) else {
            let keys = projects.map { "\($0.key)（\($0.name)）" }.joined(separator: "、")
            let keysEn = projects.map(\.key).joined(separator: ", ")
            throw KtxError(.unknownProject, zh: "\(year) 年没有项目“\(text)”：可用 \(keys)",
                           en: "\(year) has no project '\(text)': use one of \(keysEn) (or a project's code or name)")
        }
        return p
    }

    /// A project and one of its indicators by name, or a clear error naming the choices
    /// (with the nearest name when one was mistyped).
    public func indicator(project: String, named indicator: String) throws -> (Project, Indicator) {
        let p = try self.project(resolving: project)
        let name = indicator.trimmingSpaces()
        guard let found = p.indicators.first(where: { $0.name == name }) else {
            let names = p.indicators.map(\.name)
            let near = TypedInput.nearest(name, among: names).map { "（是不是“\($0)”？）" } ?? ""
            let nearEn = TypedInput.nearest(name, among: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw KtxError(.unknownIndicator, zh: "项目“\(p.name)”没有指标“\(name)”\(near)：可用 \(names.joined(separator: "、"))",
                           en: "project '\(p.key)' has no indicator '\(name)'\(nearEn): use one of \(names.joined(separator: "、"))")
        }
        return (p, found)
    }
}

extension Indicator {
    /// Refuses an indicator computed from the records: only manual ones are entered by hand.
    public func requireManual() throws {
        guard computation.isManual else {
            throw KtxError(.notManual,
                           zh: "指标“\(name)”由活动记录计算（\(computation.code)），不能手工填报",
                           en: "indicator '\(name)' is computed from the records (\(computation.code)); it cannot be entered by hand")
        }
    }
}
