import Foundation

/// An error a person can act on: a stable code, a message in Chinese and English that
/// says what went wrong and how to fix it, and an optional underlying cause for logs.
///
/// `description` is for people; `debugDescription` adds the code and the cause for logs.
public struct KtxError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Stable identifiers of every error ktx reports; scripts and tests may rely on them.
    public enum Code: String, Sendable {
        /// No replica at the path: `ktx init` first.
        case notInitialized = "not-initialized"
        /// `ktx init` on a path that holds a replica already.
        case alreadyInitialized = "already-initialized"
        /// The file is not a SQLite database.
        case notADatabase = "not-a-database"
        /// The replica was written by a newer ktx whose schema this one does not know.
        case newerDatabase = "newer-database"
        /// An activity kind the catalog does not know.
        case unknownKind = "unknown-kind"
        /// A quantity the catalog does not know.
        case unknownMetric = "unknown-metric"
        /// A date that is not a real `YYYY-MM-DD` day.
        case badDate = "bad-date"
        /// Quantities that break a catalog rule (satisfied more than surveyed …).
        case ruleBroken = "rule-broken"
        /// `ktx restore` of an activity that is not deleted.
        case notDeleted = "not-deleted"
        /// A destructive command without `--yes`.
        case notConfirmed = "not-confirmed"
        /// A backup would overwrite an existing file.
        case backupExists = "backup-exists"
        /// A year that is not four digits from 1900 to 2999.
        case badYear = "bad-year"
        /// A quantity or amount that is not a number in its metric's bounds.
        case badNumber = "bad-number"
        /// A text with control characters or beyond its length.
        case badText = "bad-text"
        /// A field the command needs was not given.
        case missingField = "missing-field"
        /// An activity id that is not `<12 hex>-<n>`.
        case badActivityID = "bad-activity-id"
        /// An activity id this replica does not hold.
        case unknownActivity = "unknown-activity"
        /// A change to a deleted activity (restore it first).
        case activityDeleted = "activity-deleted"
        /// A change to another township's activity.
        case otherTownship = "other-township"
        /// A quantity below zero.
        case negativeValue = "negative-value"
        /// A subtraction that would leave a quantity below zero.
        case negativeResult = "negative-result"
        /// An edit that changes nothing.
        case nothingToChange = "nothing-to-change"
        /// A `--by` grouping that does not exist.
        case badGroupKey = "bad-group-key"
        /// A hub token id that is not an active token.
        case unknownToken = "unknown-token"
        /// A remote URL ktx cannot use.
        case badRemoteURL = "bad-remote-url"
        /// A token given for a folder remote (folders need none).
        case tokenNotAllowed = "token-not-allowed"
        /// An HTTP remote or command with no token.
        case missingToken = "missing-token"
        /// A file or folder that cannot be written.
        case cannotCreate = "cannot-create"
        /// The hub refused a push (its rule, or operations it cannot take yet).
        case hubRefused = "hub-refused"
        /// The hub cannot be reached over the network.
        case hubUnreachable = "hub-unreachable"
        /// The hub does not know the token (401).
        case hubUnauthorized = "hub-unauthorized"
        /// The token may not do this (403).
        case hubForbidden = "hub-forbidden"
        /// A remote name ktx cannot use.
        case badRemoteName = "bad-remote-name"
        /// `ktx remote add` of a name already used.
        case remoteExists = "remote-exists"
        /// A remote name that is not configured.
        case unknownRemote = "unknown-remote"
        /// `ktx sync` with no remote configured and none given.
        case noRemote = "no-remote"
        /// `ktx sync` with several remotes and none chosen.
        case ambiguousRemote = "ambiguous-remote"
        /// A hub folder that cannot be read.
        case hubUnreadable = "hub-unreadable"
        /// A folder that is not a ktx hub.
        case notAHub = "not-a-hub"
        /// A manual indicator value that is not a number in its unit.
        case badIndicatorValue = "bad-indicator-value"
        /// A targets (or scoring) file with a mistake, named with its line.
        case badTargets = "bad-targets"
        /// No targets for the year: none shipped and none given.
        case noTargets = "no-targets"
        /// A project the targets do not list.
        case unknownProject = "unknown-project"
        /// An indicator the project does not list.
        case unknownIndicator = "unknown-indicator"
        /// A value set for an indicator computed from the records.
        case notManual = "not-manual"
        /// `--scope township` on a hub without a roster of townships.
        case scopeNeedsRoster = "scope-needs-roster"
        /// A quarter that is not 1 to 4.
        case badQuarter = "bad-quarter"
        /// An output format or option value the command does not take.
        case badFormat = "bad-format"
        /// An import file with a mistake, named with its line and column; nothing imported.
        case badImport = "bad-import"
        /// A file that cannot be read.
        case cannotRead = "cannot-read"
        /// The replica's storage failed, or holds what this ktx cannot read.
        case storage = "storage"
        /// A total would overflow: a batch of operations was not merged.
        case overflow = "overflow"
        /// A local change that breaks the acceptance rule; nothing written.
        case refused = "refused"
        /// The disk is full; nothing was half-written.
        case diskFull = "disk-full"
        /// The replica's file or folder is read-only.
        case readOnly = "read-only"
        /// An empty file where a replica should be.
        case emptyDatabase = "empty-database"
        /// The operation log is damaged: a chunk does not read, or its checksum differs.
        case damagedLog = "damaged-log"
        /// The hub's port is taken by another program.
        case portInUse = "port-in-use"
        /// A port number the hub cannot take as given.
        case badPort = "bad-port"
        /// A hub folder that is not there (USB stick not inserted, share not mounted).
        case hubMissing = "hub-missing"
        /// A folder remote's path ktx cannot use.
        case badRemoteLocation = "bad-remote-location"
        /// This database is a copy of another PC's (or a backup's) replica.
        case copiedReplica = "copied-replica"
        /// The hub's county key is not the one this replica pinned.
        case hubKeyChanged = "hub-key-changed"
        /// A hub folder's roster that does not verify.
        case badRoster = "bad-roster"
        /// A county command on a replica that does not govern the folder.
        case notTheCounty = "not-the-county"
        /// An enrolment request id that names none, or several.
        case unknownRequest = "unknown-request"
        /// A PostgreSQL URL the hub cannot use.
        case badDatabaseURL = "bad-database-url"
        /// The hub's PostgreSQL database cannot be reached.
        case databaseUnavailable = "database-unavailable"
        /// A county-only change (indicator values, notes, approvals) on a township's PC.
        case countyOnly = "county-only"
        /// A token of another role than this replica's.
        case wrongToken = "wrong-token"
        /// Another program's SQLite database, not a ktx replica.
        case foreignDatabase = "foreign-database"
        /// The operation log misses operations of a replica: nothing built from it would count them.
        case logGap = "log-gap"
        /// A step of the year's close that the (year, township)'s standing does not allow.
        case yearState = "year-state"
        /// A township-only step (submitting a year) on the county's PC.
        case townshipOnly = "township-only"
    }

    /// What kind of error this is.
    public let code: Code
    /// The message in Chinese, as a terminal words it (a field named by its option).
    public let zh: String
    /// The message in English, as a terminal words it.
    public let en: String
    /// The cause, for logs (never shown to a clerk as is).
    public let underlying: (any Error & Sendable)?
    /// The field of input the error is about, if one: each edge names it its own way.
    public let field: InputField?
    /// The message with the field named by the edge that shows it.
    private let words: (@Sendable (Language, FieldNames) -> String)?

    /// An error with its code and its message in both languages.
    public init(_ code: Code, zh: String, en: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.zh = zh
        self.en = en
        self.underlying = underlying
        self.field = nil
        self.words = nil
    }

    /// An error about a field of input, worded by `words` with the field's name as the edge
    /// that shows it names it (``message(_:fields:)``).
    public init(_ code: Code, field: InputField, underlying: (any Error & Sendable)? = nil,
                words: @escaping @Sendable (Language, _ name: String) -> String) {
        self.code = code
        self.zh = words(.zh, FieldNames.options.name(field, .zh))
        self.en = words(.en, FieldNames.options.name(field, .en))
        self.underlying = underlying
        self.field = field
        self.words = { language, names in words(language, names.name(field, language)) }
    }

    /// An error worded by the edge that shows it: `words` is given the edge's names for
    /// fields (and whether it is a terminal, where a `ktx` command may be named).
    public init(_ code: Code, field: InputField? = nil, underlying: (any Error & Sendable)? = nil,
                edgeWords words: @escaping @Sendable (Language, FieldNames) -> String) {
        self.code = code
        self.zh = words(.zh, .options)
        self.en = words(.en, .options)
        self.underlying = underlying
        self.field = field
        self.words = words
    }

    /// The message in the given language, with a field named as `fields` names it: by its
    /// option in a terminal (the default), by its label on a page, by its key in JSON.
    public func message(_ language: Language, fields: FieldNames = .options) -> String {
        if let words { return words(language, fields) }
        return language == .zh ? zh : en
    }

    /// Whether the error is in what the caller gave (input to fix) rather than a failure of
    /// the storage, the disk or the hub. Each edge maps it: exit status 64 or 1 in a
    /// terminal, a 4xx or a 5xx over HTTP, the form shown again or an error page.
    public var isBadInput: Bool {
        switch code {
        case .storage, .hubUnreadable, .notADatabase, .newerDatabase, .cannotCreate, .hubUnreachable, .hubRefused,
             .hubUnauthorized, .hubForbidden, .overflow, .diskFull, .readOnly, .emptyDatabase, .damagedLog, .portInUse,
             .hubMissing, .copiedReplica, .hubKeyChanged, .badRoster, .notTheCounty, .databaseUnavailable, .foreignDatabase,
             .logGap: false
        default: true
        }
    }

    /// The English message, as a log shows the error; an edge words it for its people with
    /// ``message(_:fields:)`` in the language they chose.
    public var description: String { en }

    /// The code, both messages and the underlying error, for logs.
    public var debugDescription: String {
        "KtxError(\(code.rawValue)): \(en)" + (underlying.map { " [cause: \(String(reflecting: $0))]" } ?? "")
    }
}

// MARK: - The messages

extension KtxError {
    /// No replica at `path`: `ktx init` makes one.
    public static func notInitialized(_ path: String) -> KtxError {
        KtxError(.notInitialized,
                 zh: "数据库 \(path) 尚未初始化：请先运行 ktx init --township 乡镇名称",
                 en: "database \(path) is not initialised: run `ktx init --township NAME` first")
    }

    /// `ktx init` on a file that already holds a replica; nothing is changed.
    public static func alreadyInitialized(_ path: String, replica: String, township: String) -> KtxError {
        KtxError(.alreadyInitialized,
                 zh: "数据库 \(path) 已初始化（副本 \(replica)，乡镇 \(township)），未做任何更改；如需新副本，请用 --db 指定另一个文件",
                 en: "database \(path) is already initialised (replica \(replica), township \(township)); nothing was changed. Use --db with another file for a new replica")
    }

    /// The file is not a SQLite database (or is damaged).
    public static func notADatabase(_ path: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.notADatabase,
                 zh: "无法打开 \(path)：它不是 ktx 数据库或已损坏；请检查 --db 路径",
                 en: "cannot open \(path): it is not a ktx database or it is damaged; check the --db path",
                 underlying: underlying)
    }

    /// A SQLite database of another program's: ktx writes nothing into it.
    public static func foreignDatabase(_ path: String) -> KtxError {
        KtxError(.foreignDatabase,
                 zh: "\(path) 是其他程序的 SQLite 数据库，不是 ktx 的：未做任何更改。请检查 --db 路径",
                 en: "\(path) is another program's SQLite database, not ktx's; nothing was changed. Check the --db path")
    }

    /// The database file or its folder cannot be created.
    public static func cannotCreate(_ path: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.cannotCreate,
                 zh: "无法在 \(path) 打开或创建数据库：请检查所在文件夹是否存在、是否可写",
                 en: "cannot open or create a database at \(path): check that its folder exists and is writable",
                 underlying: underlying)
    }

    /// A database written by a newer ktx, which this one cannot read.
    public static func newerDatabase(_ path: String) -> KtxError {
        KtxError(.newerDatabase,
                 zh: "数据库 \(path) 由更新版本的 ktx 创建；请升级 ktx 后再使用",
                 en: "database \(path) was written by a newer ktx; upgrade ktx to use it")
    }

    /// An unknown kind: the near one if it looks like a slip (科技下相 → 科技下乡), else the list.
    public static func unknownKind(_ text: String, catalog: Catalog) -> KtxError {
        let names = catalog.kinds.flatMap { [$0.name, $0.code, $0.english] + $0.aliases }
        if let near = TypedInput.nearest(text, among: names), let kind = catalog.kind(named: near) {
            return KtxError(.unknownKind,
                            zh: "未知的活动类型“\(text)”；是不是“\(kind.name)”（\(kind.code)）？",
                            en: "unknown activity kind '\(text)'; did you mean \(kind.code) (\(kind.name))?")
        }
        let zhList = catalog.kinds.map { "\($0.name)(\($0.code))" }.joined(separator: "、")
        let enList = catalog.kinds.map { "\($0.code) (\($0.name))" }.joined(separator: ", ")
        return KtxError(.unknownKind,
                        zh: "未知的活动类型“\(text)”；可用类型：\(zhList)",
                        en: "unknown activity kind '\(text)'; known kinds: \(enList)")
    }

    /// A metric the catalog does not have, with the nearest one it does.
    public static func unknownMetric(_ text: String, catalog: Catalog) -> KtxError {
        if let near = TypedInput.nearest(text, among: catalog.metrics.flatMap { [$0.name, $0.code] }),
           let metric = catalog.metric(named: near) {
            return KtxError(.unknownMetric,
                            zh: "未知的指标“\(text)”；是不是“\(metric.name)”（\(metric.code)）？",
                            en: "unknown metric '\(text)'; did you mean \(metric.code) (\(metric.name))?")
        }
        let zhList = catalog.metrics.map { "\($0.code)(\($0.name))" }.joined(separator: "、")
        let enList = catalog.metrics.map(\.code).joined(separator: ", ")
        return KtxError(.unknownMetric,
                        zh: "未知的指标“\(text)”；可用指标：\(zhList)",
                        en: "unknown metric '\(text)'; known metrics: \(enList)")
    }

    /// Not a date ktx reads, or not a real day.
    public static func badDate(_ text: String) -> KtxError {
        KtxError(.badDate,
                 zh: "日期“\(text)”无效：请写成 2023-05-20、2023/5/20 或 2023年5月20日",
                 en: "invalid date '\(text)': write it as 2023-05-20, 2023/5/20 or 2023年5月20日")
    }

    /// A date that names itself: why it is not a day.
    public static func badDate(_ text: String, _ problem: TypedInput.DateProblem) -> KtxError {
        switch problem {
        case .form:
            return badDate(text)
        case .year(let y):
            return KtxError(.badDate, zh: "日期“\(text)”无效：年份 \(y) 不在 1900 到 2999 之间",
                            en: "invalid date '\(text)': the year \(y) is not between 1900 and 2999")
        case .month(let m):
            return KtxError(.badDate, zh: "日期“\(text)”无效：没有 \(m) 月", en: "invalid date '\(text)': there is no month \(m)")
        case .day(let y, let m, let d, let length):
            return KtxError(.badDate,
                            zh: "日期“\(text)”无效：\(y) 年 \(m) 月没有 \(d) 日（该月只有 \(length) 天）",
                            en: "invalid date '\(text)': \(Self.monthNames[m - 1]) \(y) has no day \(d) (it has \(length) days)")
        }
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    /// A change that would break a rule between two quantities of one activity.
    public static func ruleBroken(_ id: String?, metric: Metric, value: Int64, atMost: Metric, limit: Int64,
                                  saysNothingChanged: Bool = true) -> KtxError {
        let which = id.map { "活动 \($0) 的" } ?? ""
        let whichEn = id.map { "activity \($0): " } ?? ""
        return KtxError(.ruleBroken,
                        zh: "\(which)\(metric.name)（\(metric.format(value))）不能多于\(atMost.name)（\(atMost.format(limit))）" + (saysNothingChanged ? "；未做更改" : ""),
                        en: "\(whichEn)\(metric.english) (\(metric.format(value))) cannot exceed \(atMost.english) (\(atMost.format(limit)))" + (saysNothingChanged ? "; nothing was changed" : ""))
    }

    /// Not a year from 1900 to 2999.
    public static func badYear(_ text: String) -> KtxError {
        KtxError(.badYear,
                 zh: "年份“\(text)”无效：请写四位数字，例如 2023",
                 en: "invalid year '\(text)': write four digits, e.g. 2023")
    }

    /// Not a value an indicator takes (a number, optionally with its unit).
    public static func badIndicatorValue(_ text: String) -> KtxError {
        KtxError(.badIndicatorValue,
                 zh: "指标值“\(text)”无效：请写不带单位的非负数，例如 92 或 92.5",
                 en: "invalid indicator value '\(text)': write a non-negative number without its unit, e.g. 92 or 92.5")
    }

    /// A quantity typed for a field that is not a valid amount of its metric.
    public static func badNumber(_ field: InputField, _ text: String, metric: Metric) -> KtxError {
        KtxError(.badNumber, field: field) { badNumberWords($0, $1, text, metric) }
    }

    /// ``badNumber(_:_:metric:)`` for what only one edge has (a CSV column, a form's label).
    public static func badNumber(_ option: String, _ text: String, metric: Metric) -> KtxError {
        KtxError(.badNumber, zh: badNumberWords(.zh, option, text, metric), en: badNumberWords(.en, option, text, metric))
    }

    private static func badNumberWords(_ language: Language, _ name: String, _ text: String, _ metric: Metric) -> String {
        let example = language.pick(zh: metric.scale == 100 ? "1200 或 1200.50" : "120", en: metric.scale == 100 ? "1200 or 1200.50" : "120")
        if let why = metric.whyNotAnAmount(text) {
            return language.pick(zh: "\(name) 的值“\(text)”不是有效数量：\(why.zh)，例如 \(example)",
                                 en: "\(name) value '\(text)' is not a valid amount: \(why.en), e.g. \(example)")
        }
        return language.pick(
            zh: "\(name) 的值“\(text)”不是有效数量：请写整数\(metric.scale == 100 ? "（最多两位小数）" : "")，例如 \(example)",
            en: "\(name) value '\(text)' is not a valid amount: write a whole number\(metric.scale == 100 ? " (at most 2 decimals)" : ""), e.g. \(example)")
    }

    /// A number beyond what the field takes.
    public static func tooLarge(_ field: InputField, _ text: String) -> KtxError {
        KtxError(.badNumber, field: field) { language, name in
            language.pick(zh: "\(name) 的值“\(text)”过大：单次最多 1000000000",
                          en: "\(name) value '\(text)' is too large: at most 1000000000 at a time")
        }
    }

    /// A text field that is empty where it may not be, or holds what no text may.
    public static func badText(_ field: InputField) -> KtxError {
        KtxError(.badText, field: field) { badTextWords($0, $1) }
    }

    /// ``badText(_:)`` for what only one edge has (a CSV column).
    public static func badText(_ option: String) -> KtxError {
        KtxError(.badText, zh: badTextWords(.zh, option), en: badTextWords(.en, option))
    }

    private static func badTextWords(_ language: Language, _ name: String) -> String {
        language.pick(zh: "\(name) 不能为空，不能含换行或控制字符，且不超过 200 个字",
                      en: "\(name) must not be empty, contain line breaks or control characters, or exceed 200 characters")
    }

    /// A field the command or form needs that was not given.
    public static func missingField(_ field: InputField) -> KtxError {
        KtxError(.missingField, field: field) { language, name in language.pick(zh: "缺少必填项 \(name)", en: "missing required \(name)") }
    }

    /// ``missingField(_:)`` for what only one edge has (`LOCATION`, `N` in a terminal).
    public static func missingField(_ option: String) -> KtxError {
        KtxError(.missingField, zh: "缺少必填项 \(option)", en: "missing required \(option)")
    }

    /// Not an activity id (`3fa9c2d1b0e4-17`).
    public static func badActivityID(_ text: String) -> KtxError {
        KtxError(.badActivityID,
                 zh: "“\(text)”不是活动编号：编号形如 3fa9c2d1b0e4-17，可用 ktx list 查看",
                 en: "'\(text)' is not an activity id: ids look like 3fa9c2d1b0e4-17; see `ktx list`")
    }

    /// No activity with this id in the replica.
    public static func unknownActivity(_ id: String) -> KtxError {
        KtxError(.unknownActivity) { (language: Language, names: FieldNames) in
            names.terminal
                ? language.pick(zh: "没有编号为 \(id) 的活动；可用 ktx list 查看现有活动，或先运行 ktx sync",
                                en: "no activity with id \(id); see `ktx list`, or run `ktx sync` first")
                : language.pick(zh: "没有编号为 \(id) 的活动：它可能尚未同步到本机，请先同步",
                                en: "no activity with id \(id): it may not have reached this PC yet; sync first")
        }
    }

    /// The activity was deleted (`ktx restore` brings it back).
    public static func activityDeleted(_ id: String) -> KtxError {
        KtxError(.activityDeleted,
                 zh: "活动 \(id) 已删除，不能再修改",
                 en: "activity \(id) has been deleted and cannot be changed")
    }

    /// Another township's activity: this replica may change only its own township's.
    public static func otherTownship(_ id: String, owner: String, mine: String) -> KtxError {
        KtxError(.otherTownship,
                 zh: "活动 \(id) 属于“\(owner)”，本副本属于“\(mine)”：只能修改本乡镇的活动",
                 en: "activity \(id) belongs to \(owner) and this replica to \(mine): only a township's own replicas may change its activities")
    }

    /// A negative number where the field takes none.
    public static func negativeValue(_ field: InputField, _ text: String) -> KtxError {
        KtxError(.negativeValue, field: field) { (language: Language, names: FieldNames) in
            let name = names.name(field, language)
            return names.terminal
                ? language.pick(zh: "\(name) 不能为负数（“\(text)”）；更正已记录的数量请用 ktx attend ID -N",
                                en: "\(name) cannot be negative ('\(text)'); to correct a recorded amount use `ktx attend ID -N`")
                : language.pick(zh: "\(name) 不能为负数（“\(text)”）", en: "\(name) cannot be negative ('\(text)')")
        }
    }

    /// A correction that would take a quantity's total below zero.
    public static func negativeResult(_ id: String, metric: Metric, current: Int64, change: Int64) -> KtxError {
        KtxError(.negativeResult,
                 zh: "活动 \(id) 的\(metric.name)现为 \(metric.format(current))，减去 \(metric.format(-change)) 会变成负数；未做更改",
                 en: "activity \(id) has \(metric.english) \(metric.format(current)); subtracting \(metric.format(-change)) would make it negative. Nothing was changed")
    }

    /// An edit that changes nothing: the fields an edit may change, named by the edge.
    public static func nothingToChange() -> KtxError {
        KtxError(.nothingToChange) { (language: Language, names: FieldNames) in
            let fields = [InputField.title, .date, .venue, .kind, .project].map { names.name($0, language) }
            return language.pick(zh: "没有要修改的内容：请至少给出 \(fields.joined(separator: "、")) 之一",
                                 en: "nothing to change: give at least one of \(fields.joined(separator: ", "))")
        }
    }

    /// A remote's name that is not a plain word.
    public static func badRemoteName(_ name: String) -> KtxError {
        KtxError(.badRemoteName,
                 zh: "远端名称“\(name)”无效：请用字母、数字、汉字、- 或 _，不超过 40 个字",
                 en: "invalid remote name '\(name)': use letters, digits, -, or _, at most 40 characters")
    }

    /// A remote of that name exists already.
    public static func remoteExists(_ name: String) -> KtxError {
        KtxError(.remoteExists,
                 zh: "远端“\(name)”已存在；如需更换位置，请先 ktx remote remove \(name)",
                 en: "remote '\(name)' already exists; run `ktx remote remove \(name)` first to change it")
    }

    /// No remote of that name, with the names there are.
    public static func unknownRemote(_ name: String, known: [String]) -> KtxError {
        let list = known.isEmpty ? "（无）" : known.joined(separator: "、")
        let listEn = known.isEmpty ? "(none)" : known.joined(separator: ", ")
        return KtxError(.unknownRemote,
                        zh: "没有名为“\(name)”的远端；已有：\(list)",
                        en: "no remote named '\(name)'; known remotes: \(listEn)")
    }

    /// No remote to sync with: `ktx remote add` adds one.
    public static func noRemote() -> KtxError {
        KtxError(.noRemote,
                 zh: "尚未添加远端：请先运行 ktx remote add 名称 文件夹路径",
                 en: "no remote yet: run `ktx remote add NAME FOLDER` first")
    }

    /// More than one remote and none named: the command needs one.
    public static func ambiguousRemote(_ names: [String]) -> KtxError {
        KtxError(.ambiguousRemote,
                 zh: "有多个远端（\(names.joined(separator: "、"))）：请指定要同步的远端，例如 ktx sync \(names[0])",
                 en: "there are several remotes (\(names.joined(separator: ", "))): name the one to sync, e.g. `ktx sync \(names[0])`")
    }

    /// A hub that cannot be read (a folder missing, a server not answering), with why.
    public static func hubUnreadable(_ location: String, reason: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.hubUnreadable,
                 zh: "无法访问同步文件夹 \(location)（\(reason)）：请检查 U 盘或共享盘是否已连接、路径是否正确、是否有读写权限；本地数据未受影响",
                 en: "cannot use the hub folder \(location) (\(reason)): check that the USB stick or shared drive is connected, the path is right and writable; local data is untouched",
                 underlying: underlying)
    }

    /// A folder that is not a hub (no `ktx-hub.json`): a USB stick not inserted, a typo.
    public static func notAHub(_ location: String) -> KtxError {
        KtxError(.notAHub,
                 zh: "文件夹 \(location) 不是 ktx 同步文件夹（没有 ktx-hub.json）：请检查路径；新的同步文件夹由县科协用 ktx hub init 文件夹 建立",
                 en: "folder \(location) is not a ktx hub (no ktx-hub.json): check the path; the county makes a new hub folder with `ktx hub init FOLDER`")
    }

    /// A folder hub that is not there: a USB stick not inserted, a share not mounted, a typo.
    public static func hubMissing(_ location: String) -> KtxError {
        KtxError(.hubMissing,
                 zh: "同步文件夹 \(location) 不存在：U 盘未插入？共享盘未连接？路径写错了？未同步任何内容。新的同步文件夹由县科协用 ktx hub init 文件夹 建立",
                 en: "hub folder \(location) does not exist: USB stick not inserted? share not mounted? a typo? Nothing was synced. The county makes a new hub folder with `ktx hub init FOLDER`")
    }

    /// A governed hub folder whose county key is not the one this replica pinned.
    public static func hubKeyChanged(_ location: String, pinned: String, found: String?) -> KtxError {
        KtxError(.hubKeyChanged,
                 zh: "同步文件夹 \(location) 的县科协公钥\(found.map { "（\($0)）" } ?? "不见了")，与添加时记下的（\(pinned)）不同：文件夹可能被人替换或改动。未同步任何内容；请与县科协核对",
                 en: "hub folder \(location) \(found.map { "carries the county key \($0)" } ?? "no longer carries a county key"), not the one pinned when it was added (\(pinned)): the folder may have been replaced or altered. Nothing was synced; check with the county")
    }

    /// A governed hub folder whose roster is missing, damaged, or not signed by its county.
    public static func badRoster(_ location: String, _ detail: String) -> KtxError {
        KtxError(.badRoster,
                 zh: "同步文件夹 \(location) 的登记名册（roster.json）无效（\(detail)）：未同步任何内容；请县科协在其电脑上再运行 ktx hub init \(location)",
                 en: "hub folder \(location) has no valid roster (roster.json: \(detail)): nothing was synced; the county runs `ktx hub init \(location)` again on its PC")
    }

    /// A county command run on a replica that does not govern the folder.
    public static func notTheCounty(_ location: String, governor: String) -> KtxError {
        KtxError(.notTheCounty,
                 zh: "本副本不是管理同步文件夹 \(location) 的县科协副本（其公钥指纹 \(governor)）：请在建立该文件夹的县科协电脑上运行，或用 --db 指定其数据库",
                 en: "this replica does not govern hub folder \(location) (the county key is \(governor)): run this on the county PC that made it, or name its database with --db")
    }

    /// A remote location ktx cannot use: a URL of another scheme, a Windows share path.
    public static func badRemoteLocation(_ location: String) -> KtxError {
        if location.hasPrefix("\\\\") || location.hasPrefix("//") {
            return KtxError(.badRemoteLocation,
                            zh: "“\(location)”是 Windows 共享路径，ktx 不能直接使用：请先把共享盘挂载（映射）为本机文件夹，再写那个文件夹的路径",
                            en: "'\(location)' is a Windows share path, which ktx cannot use directly: mount (map) the share as a local folder and give that folder's path")
        }
        return KtxError(.badRemoteLocation,
                        zh: "不认识的地址“\(location)”：远端只能是文件夹路径（共享盘或 U 盘）或 http(s)://主机:端口",
                        en: "unknown kind of address '\(location)': a remote is a folder path (shared drive or USB stick) or http(s)://HOST:PORT")
    }

    /// Not a port number from 1 to 65535.
    public static func badPort(_ text: String) -> KtxError {
        KtxError(.badPort,
                 zh: "端口 \(text) 无效：请用 1 到 65535 之间的数字，例如 --port 8080",
                 en: "port \(text) is not valid: use a number from 1 to 65535, e.g. --port 8080")
    }

    /// The hub cannot listen there: the port is in use, or not this process's to take.
    public static func portInUse(host: String, port: Int, inUse: Bool) -> KtxError {
        inUse
            ? KtxError(.portInUse,
                       zh: "端口 \(port) 已被其他程序占用（\(host)）：可能已有一个 ktx hub serve 在运行；请停止它，或用 --port 换一个端口",
                       en: "port \(port) on \(host) is already in use: perhaps a `ktx hub serve` is running already; stop it, or pick another with --port")
            : KtxError(.portInUse,
                       zh: "没有权限监听端口 \(port)（1024 以下的端口需要管理员权限）：请用 --port 换一个 1024 以上的端口",
                       en: "not allowed to listen on port \(port) (ports below 1024 need administrator rights): pick one above 1024 with --port")
    }

    /// Not an address the hub can listen on.
    public static func badHost(_ host: String) -> KtxError {
        KtxError(.badPort,
                 zh: "无法在地址 \(host) 上监听：它不是本机的地址；请用 --host 0.0.0.0（所有网卡）或 127.0.0.1（仅本机）",
                 en: "cannot listen on \(host): it is not an address of this machine; use --host 0.0.0.0 (every interface) or 127.0.0.1 (this machine only)")
    }

    /// A total that would overflow: the change is refused.
    public static func overflow() -> KtxError {
        KtxError(.overflow,
                 zh: "合计将超出可表示的范围，本批操作未合并；请用 ktx check 检查，并把同步文件夹中异常的文件交县科协核查",
                 en: "a total would overflow, so this batch was not merged; run `ktx check` and have the county look at the hub's unusual files")
    }

    /// This PC's database is a copy of another's (a copied PC, a restored backup): the hub
    /// holds other operations under this replica's seqs.
    public static func copiedReplica(_ replica: String, file: String) -> KtxError {
        KtxError(.copiedReplica,
                 zh: "这台电脑的数据库与另一台电脑（或备份）是同一个副本 \(replica)：同步处已有该副本同一段序号的另一份记录（\(file)）。本机记录未丢失；请勿在两台电脑上使用同一个数据库文件",
                 en: "this PC's database is the same replica \(replica) as another PC's (or a backup's): the hub holds other operations for the same seqs (\(file)). Nothing here is lost; do not use one database file on two PCs")
    }

    /// A local change every receiver would refuse by the acceptance rule: nothing written.
    public static func refusedLocally(_ reason: RefusalReason) -> KtxError {
        KtxError(.refused,
                 zh: "该更改不符合操作规则（\(reason.message(.zh))），未写入",
                 en: "this change breaks the operation rule (\(reason.message(.en))); nothing was written")
    }

    /// A local change outside this replica's rights: every receiver would refuse it.
    ///
    /// - Parameters:
    ///   - reason: why every receiver would refuse it.
    ///   - township: this replica's township.
    ///   - roleKnown: whether the replica knows its role (one made before ktx kept
    ///     it learns it at its first sync with a county token, or from the county's roster).
    public static func outsideRights(_ reason: RefusalReason, township: String, roleKnown: Bool) -> KtxError {
        switch reason {
        case .countyOnly:
            let zhHint = roleKnown ? "" : "（若这就是县科协的电脑：用县级令牌同步一次，或由县科协以 --county 批准本机后同步一次，即可填报）"
            let enHint = roleKnown ? "" : " (if this is the county's PC: sync once with a county token, or once the county approved it with --county)"
            return KtxError(.countyOnly,
                            zh: "未写入：只有县科协的电脑可以填报指标值和偏差原因，本机是“\(township)”的副本，各处都会拒收。请由县科协在其电脑上运行此命令\(zhHint)",
                            en: "nothing was written: only the county's PCs may set indicator values and notes; this PC is a replica of \(township), and every receiver would refuse it. Ask the county to run this on its PC\(enHint)")
        default:
            return refusedLocally(reason)
        }
    }

    /// A sync with a token of another role than this replica's.
    public static func wrongToken(mine: Roster.Role, township: String, tokenRole: String) -> KtxError {
        let county = mine == .county
        return KtxError(.wrongToken,
                        zh: county
                            ? "未同步：本机是县科协的副本，而这个同步地址的令牌是\(tokenRole == Roster.Role.township.rawValue ? "乡镇" : "其他")令牌。请用县级令牌：ktx remote add 名称 地址 --token 县级令牌"
                            : "未同步：本机是“\(township)”的副本，而这个同步地址的令牌是县级令牌，会把本机登记成县科协的电脑。请向县科协要一个“\(township)”的乡镇令牌：ktx remote add 名称 地址 --token 乡镇令牌",
                        en: county
                            ? "not synced: this PC is a county replica, and this remote's token is a \(tokenRole) token. Use a county token: ktx remote add NAME URL --token COUNTY_TOKEN"
                            : "not synced: this PC is a replica of \(township), and this remote's token is a county token, which would register it as a county PC. Ask the county for a township token of \(township): ktx remote add NAME URL --token TOWNSHIP_TOKEN")
    }

    /// The disk is full: nothing was written.
    public static func diskFull(_ path: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.diskFull,
                 zh: "磁盘已满，无法写入 \(path)；未写入任何内容。请清理磁盘空间后重试",
                 en: "the disk holding \(path) is full; nothing was written. Free some space and try again",
                 underlying: underlying)
    }

    /// The database or its folder is read-only (a write-protected USB stick, a CD).
    public static func readOnly(_ path: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.readOnly,
                 zh: "数据库 \(path) 是只读的（文件或所在文件夹不可写），未写入任何内容；请检查文件权限，或换一个可写的位置",
                 en: "database \(path) is read-only (the file or its folder is not writable); nothing was written. Check its permissions or use a writable place",
                 underlying: underlying)
    }

    /// The file is empty: not a replica (a copy cut short?).
    public static func emptyDatabase(_ path: String) -> KtxError {
        KtxError(.emptyDatabase,
                 zh: "数据库文件 \(path) 是空的（0 字节），不是 ktx 副本，可能是复制中断；请从备份恢复，或删除它后运行 ktx init 再同步",
                 en: "database file \(path) is empty (0 bytes), not a ktx replica, perhaps an interrupted copy; restore it from a backup, or delete it, run `ktx init` and sync",
                 underlying: nil)
    }

    /// The operation log is damaged; `detail` says where.
    public static func damagedLog(_ detail: String) -> KtxError {
        KtxError(.damagedLog,
                 zh: "操作日志已损坏（\(detail)），为免在其上继续写入，已停止；请运行 ktx check，并从同步服务器拉取到新的副本",
                 en: "the operation log is damaged (\(detail)); stopped rather than write on top of it. Run `ktx check` and pull into a new replica from the hub")
    }

    /// A chunk of the log whose bytes changed after they were written: what it unpacks to
    /// is not what was recorded, so nothing is built, copied or counted from it as if whole.
    public static func damagedChunk(replica: String, from: Int64, to: Int64) -> KtxError {
        KtxError(.damagedLog,
                 zh: "操作日志已损坏：副本 \(replica) 的第 \(from)–\(to) 条操作写入后被改动，不能再信任。找回的办法：用最近的备份（ktx backup 做的文件）替换本数据库；或新建副本（ktx init）后同步，同步服务器持有所有已同步的操作",
                 en: "the operation log is damaged: operations \(from)–\(to) of replica \(replica) changed after they were written and cannot be trusted. To get them back: put the newest backup (a file `ktx backup` made) in place of this database, or make a new replica (`ktx init`) and sync: the hub holds every operation that was synced")
    }

    /// A replica's log misses operations: nothing built from it would count them.
    public static func logGap(replica: String, from: Int64, to: Int64) -> KtxError {
        KtxError(.logGap,
                 zh: "操作日志缺少副本 \(replica) 的第 \(from)–\(to) 条操作：未做任何更改（重建会让它们及其后的记录从汇总中消失）。找回的办法：用最近的备份（ktx backup 做的文件）替换本数据库；或新建副本（ktx init）后同步，同步服务器持有所有已同步的操作",
                 en: "the operation log misses operations \(from)–\(to) of replica \(replica); nothing was changed (a rebuild would drop them, and what follows them, from every total). To get them back: put the newest backup (a file `ktx backup` made) in place of this database, or make a new replica (`ktx init`) and sync: the hub holds every operation that was synced")
    }

    /// The database cannot be used for `what`, with SQLite's reason.
    public static func storage(_ what: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.storage,
                 zh: "数据库操作失败（\(what)）；数据未被部分写入，请重试",
                 en: "database operation failed (\(what)); nothing was half-written, please retry",
                 underlying: underlying)
    }
}
