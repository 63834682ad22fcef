import SyncCore

/// The words of every error the layers below the edges raise, in Chinese and English: the
/// edges (the `ktx` command, the clerk's and the county's pages, the hub's JSON answers)
/// word a ``SyncCore/KtxError`` here, each naming fields as its people see them
/// (``SyncCore/FieldNames``): `--title` in a terminal, which may also name the `ktx`
/// command that mends the mistake; 标题 on a page; `title` in JSON.
extension KtxError {
    /// The message in `language`, with fields named as `fields` names them (a terminal's
    /// options by default).
    public func message(_ language: Language, fields: FieldNames = .options) -> String {
        ErrorWords(language: language, fields: fields).words(detail)
    }

    /// The message in Chinese, as a terminal words it.
    public var zh: String { message(.zh) }

    /// The message in English, as a terminal words it.
    public var en: String { message(.en) }
}

/// Words an error for one edge in one language.
struct ErrorWords {
    let language: Language
    let fields: FieldNames

    func pick(_ zh: String, _ en: String) -> String { language.pick(zh: zh, en: en) }

    /// `words(_:)` sends each case to the group that words it; a case sent to the wrong
    /// group is a mistake of this file, said plainly with its code rather than hidden.
    func unrouted(_ detail: Detail) -> String { pick("发生错误（\(detail.code.rawValue)）", "an error occurred (\(detail.code.rawValue))") }

    func name(_ field: FieldRef) -> String {
        switch field {
        case .field(let field): fields.name(field, language)
        case .named(let name): name
        }
    }

    /// What the edge says, and in a terminal the command that mends it.
    func terminal(_ words: String, command zh: String, _ en: String) -> String {
        fields.terminal ? words + pick(zh, en) : words
    }

    func words(_ detail: Detail) -> String {
        switch detail {
        case .said(_, let zh, let en): pick(zh, en)
        case .notInitialized, .alreadyInitialized, .notADatabase, .foreignDatabase, .cannotCreate, .newerDatabase,
             .diskFull, .readOnly, .emptyDatabase, .damagedLog, .damagedChunk, .logGap, .storage, .overflow,
             .unreadableChunk, .backupExists, .backupFailedCheck, .backupUnchecked, .noSigningKey,
             .unknownStoredRole, .sharedDatabaseRefused:
            databaseWords(detail)
        case .unknownKind, .unknownMetric, .badDate, .badYear, .badQuarter, .badIndicatorValue, .badNumber,
             .tooLarge, .badText, .badNotes, .missingField, .negativeValue, .ruleBroken, .badGroupKey:
            inputWords(detail)
        case .badActivityID, .unknownActivity, .activityDeleted, .notDeleted, .restoredAlready, .otherTownship,
             .negativeResult, .nothingToChange, .refusedLocally, .outsideRights:
            activityWords(detail)
        case .approvedAlready, .notSubmitted, .townshipsNotApproved, .nothingToReturn, .noAmendments:
            yearWords(detail)
        case .badRemoteName, .remoteExists, .unknownRemote, .noRemote, .ambiguousRemote, .badRemoteURL,
             .badRemoteLocation, .httpRemoteNeedsToken, .tokenForFolder, .tokenVariableUnset, .noStoredToken,
             .wrongToken:
            remoteWords(detail)
        case .hubUnreadable, .notAHub, .folderNotEmpty, .hubMissing, .linkInHub, .hubKeyChanged, .badRoster,
             .notTheCounty, .scopeNeedsRoster, .unknownRequest, .notEnrolled, .countyNotRevocable, .copiedReplica,
             .notPlaced, .hubWaits:
            folderWords(detail)
        case .unknownToken, .hubUnauthorized, .hubForbidden, .hubRefusedRequest, .hubUnreachable,
             .hubAnswerUnreadable, .badPort, .portInUse, .badHost:
            httpWords(detail)
        case .newerHubDatabase, .notANodeCopy, .viewAhead, .databaseUnusable, .passwordInURL,
             .passwordFileUnreadable, .badDatabaseURL, .badDatabaseName:
            databaseServerWords(detail)
        }
    }

    // MARK: The database

    func databaseWords(_ detail: Detail) -> String {
        switch detail {
        case .notInitialized(let path):
            pick("数据库 \(path) 尚未初始化：请先运行 ktx init --township 乡镇名称",
                 "database \(path) is not initialised: run `ktx init --township NAME` first")
        case .alreadyInitialized(let path, let replica, let township):
            pick("数据库 \(path) 已初始化（副本 \(replica)，乡镇 \(township)），未做任何更改；如需新副本，请用 --db 指定另一个文件",
                 "database \(path) is already initialised (replica \(replica), township \(township)); nothing was changed. Use --db with another file for a new replica")
        case .notADatabase(let path):
            pick("无法打开 \(path)：它不是 ktx 数据库或已损坏；请检查 --db 路径",
                 "cannot open \(path): it is not a ktx database or it is damaged; check the --db path")
        case .foreignDatabase(let path):
            pick("\(path) 是其他程序的 SQLite 数据库，不是 ktx 的：未做任何更改。请检查 --db 路径",
                 "\(path) is another program's SQLite database, not ktx's; nothing was changed. Check the --db path")
        case .cannotCreate(let path):
            pick("无法在 \(path) 打开或创建数据库：请检查所在文件夹是否存在、是否可写",
                 "cannot open or create a database at \(path): check that its folder exists and is writable")
        case .newerDatabase(let path):
            pick("数据库 \(path) 由更新版本的 ktx 创建；请升级 ktx 后再使用", "database \(path) was written by a newer ktx; upgrade ktx to use it")
        case .diskFull(let path):
            pick("磁盘已满，无法写入 \(path)；未写入任何内容。请清理磁盘空间后重试",
                 "the disk holding \(path) is full; nothing was written. Free some space and try again")
        case .readOnly(let path):
            pick("数据库 \(path) 是只读的（文件或所在文件夹不可写），未写入任何内容；请检查文件权限，或换一个可写的位置",
                 "database \(path) is read-only (the file or its folder is not writable); nothing was written. Check its permissions or use a writable place")
        case .emptyDatabase(let path):
            pick("数据库文件 \(path) 是空的（0 字节），不是 ktx 副本，可能是复制中断；请从备份恢复，或删除它后运行 ktx init 再同步",
                 "database file \(path) is empty (0 bytes), not a ktx replica, perhaps an interrupted copy; restore it from a backup, or delete it, run `ktx init` and sync")
        case .damagedLog(let where_):
            pick("操作日志已损坏（\(where_)），为免在其上继续写入，已停止；请运行 ktx check，并从同步服务器拉取到新的副本",
                 "the operation log is damaged (\(where_)); stopped rather than write on top of it. Run `ktx check` and pull into a new replica from the hub")
        case .damagedChunk(let replica, let from, let to):
            pick("操作日志已损坏：副本 \(replica) 的第 \(from)–\(to) 条操作写入后被改动，不能再信任。找回的办法：用最近的备份（ktx backup 做的文件）替换本数据库；或新建副本（ktx init）后同步，同步服务器持有所有已同步的操作",
                 "the operation log is damaged: operations \(from)–\(to) of replica \(replica) changed after they were written and cannot be trusted. To get them back: put the newest backup (a file `ktx backup` made) in place of this database, or make a new replica (`ktx init`) and sync: the hub holds every operation that was synced")
        case .logGap(let replica, let from, let to):
            pick("操作日志缺少副本 \(replica) 的第 \(from)–\(to) 条操作：未做任何更改（重建会让它们及其后的记录从汇总中消失）。找回的办法：用最近的备份（ktx backup 做的文件）替换本数据库；或新建副本（ktx init）后同步，同步服务器持有所有已同步的操作",
                 "the operation log misses operations \(from)–\(to) of replica \(replica); nothing was changed (a rebuild would drop them, and what follows them, from every total). To get them back: put the newest backup (a file `ktx backup` made) in place of this database, or make a new replica (`ktx init`) and sync: the hub holds every operation that was synced")
        case .storage(let what):
            pick("数据库操作失败（\(what)）；数据未被部分写入，请重试", "database operation failed (\(what)); nothing was half-written, please retry")
        case .overflow:
            pick("合计将超出可表示的范围，本批操作未合并；请用 ktx check 检查，并把同步文件夹中异常的文件交县科协核查",
                 "a total would overflow, so this batch was not merged; run `ktx check` and have the county look at the hub's unusual files")
        case .unreadableChunk:
            pick("操作日志已损坏（无法解读一段记录）；请从同步服务器重新拉取到新的副本",
                 "the operation log is damaged (a chunk cannot be read); pull into a new replica from the hub")
        case .backupExists(let path):
            pick("\(path) 已存在：备份从不覆盖文件，请换一个文件名", "\(path) exists: a backup never overwrites a file; choose another name")
        case .backupFailedCheck:
            pick("备份文件检查未通过", "the backup did not pass its check")
        case .backupUnchecked(let path, let cause):
            pick("已复制到 \(path)，但未通过检查，备份带着同样的问题：\(words(cause))",
                 "copied to \(path), but not checked: the copy has the same fault as this database: \(words(cause))")
        case .noSigningKey:
            pick("本副本没有签名密钥", "this replica has no signing key")
        case .unknownStoredRole(let token, let role):
            pick("令牌 \(token) 的角色“\(role)”无法识别（数据库由更新版本的 ktx 写入，或已损坏）",
                 "token \(token) has a role this ktx does not know, '\(role)' (the database was written by a newer ktx, or is damaged)")
        case .sharedDatabaseRefused(let replica, let seq, let reason):
            pick("共享数据库中有本节点拒收的操作（副本 \(replica.short)，序号 \(seq)）：\(reason.message(.zh))",
                 "the shared hub database holds an operation this node refuses (replica \(replica.short), seq \(seq)): \(reason.message(.en))")
        default: unrouted(detail)
        }
    }

    // MARK: Input

    func inputWords(_ detail: Detail) -> String {
        switch detail {
        case .unknownKind(let text, let catalog): unknownKind(text, catalog)
        case .unknownMetric(let text, let catalog): unknownMetric(text, catalog)
        case .badDate(let text, let problem): badDate(text, problem)
        case .badYear(let text): pick("年份“\(text)”无效：请写四位数字，例如 2023", "invalid year '\(text)': write four digits, e.g. 2023")
        case .badQuarter(let text): pick("季度“\(text)”无效：请写 1、2、3 或 4", "invalid quarter '\(text)': write 1, 2, 3 or 4")
        case .badIndicatorValue(let text):
            pick("指标值“\(text)”无效：请写不带单位的非负数，例如 92 或 92.5",
                 "invalid indicator value '\(text)': write a non-negative number without its unit, e.g. 92 or 92.5")
        case .badNumber(let field, let text, let metric): badNumber(name(field), text, metric)
        case .tooLarge(let field, let text):
            pick("\(name(.field(field))) 的值“\(text)”过大：单次最多 1000000000",
                 "\(name(.field(field))) value '\(text)' is too large: at most 1000000000 at a time")
        case .badText(let field):
            pick("\(name(field)) 不能为空，不能含换行或控制字符，且不超过 200 个字",
                 "\(name(field)) must not be empty, contain line breaks or control characters, or exceed 200 characters")
        case .badNotes(let most):
            pick("备注不能含控制字符，最多 \(most) 个字", "notes must hold no control characters and at most \(most) characters")
        case .missingField(let field): pick("缺少必填项 \(name(field))", "missing required \(name(field))")
        case .negativeValue(let field, let text):
            terminal(pick("\(name(.field(field))) 不能为负数（“\(text)”）", "\(name(.field(field))) cannot be negative ('\(text)')"),
                     command: "；更正已记录的数量请用 ktx attend ID -N", "; to correct a recorded amount use `ktx attend ID -N`")
        case .ruleBroken(let id, let metric, let value, let atMost, let limit, let saysNothingChanged):
            pick("\(id.map { "活动 \($0) 的" } ?? "")\(metric.name)（\(metric.format(value))）不能多于\(atMost.name)（\(atMost.format(limit))）"
                    + (saysNothingChanged ? "；未做更改" : ""),
                 "\(id.map { "activity \($0): " } ?? "")\(metric.english) (\(metric.format(value))) cannot exceed \(atMost.english) (\(atMost.format(limit)))"
                    + (saysNothingChanged ? "; nothing was changed" : ""))
        case .badGroupKey(let name, let near?):
            pick("分组“\(name)”无效：是不是 \(near)？", "cannot group by '\(name)': did you mean \(near)?")
        case .badGroupKey(let name, nil):
            pick("分组“\(name)”无效：可用 township、kind、quarter、month，用逗号分隔",
                 "cannot group by '\(name)': use township, kind, quarter, month, comma-separated")
        default: unrouted(detail)
        }
    }

    func unknownKind(_ text: String, _ catalog: Catalog) -> String {
        let names = catalog.kinds.flatMap { [$0.name, $0.code, $0.english] + $0.aliases }
        if let near = TypedInput.nearest(text, among: names), let kind = catalog.kind(named: near) {
            return pick("未知的活动类型“\(text)”；是不是“\(kind.name)”（\(kind.code)）？", "unknown activity kind '\(text)'; did you mean \(kind.code) (\(kind.name))?")
        }
        return pick("未知的活动类型“\(text)”；可用类型：\(catalog.kinds.map { "\($0.name)(\($0.code))" }.joined(separator: "、"))",
                    "unknown activity kind '\(text)'; known kinds: \(catalog.kinds.map { "\($0.code) (\($0.name))" }.joined(separator: ", "))")
    }

    func unknownMetric(_ text: String, _ catalog: Catalog) -> String {
        if let near = TypedInput.nearest(text, among: catalog.metrics.flatMap { [$0.name, $0.code] }), let metric = catalog.metric(named: near) {
            return pick("未知的指标“\(text)”；是不是“\(metric.name)”（\(metric.code)）？", "unknown metric '\(text)'; did you mean \(metric.code) (\(metric.name))?")
        }
        return pick("未知的指标“\(text)”；可用指标：\(catalog.metrics.map { "\($0.code)(\($0.name))" }.joined(separator: "、"))",
                    "unknown metric '\(text)'; known metrics: \(catalog.metrics.map(\.code).joined(separator: ", "))")
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]

    func badDate(_ text: String, _ problem: TypedInput.DateProblem) -> String {
        switch problem {
        case .form:
            pick("日期“\(text)”无效：请写成 2023-05-20、2023/5/20 或 2023年5月20日", "invalid date '\(text)': write it as 2023-05-20, 2023/5/20 or 2023年5月20日")
        case .year(let y):
            pick("日期“\(text)”无效：年份 \(y) 不在 1900 到 2999 之间", "invalid date '\(text)': the year \(y) is not between 1900 and 2999")
        case .month(let m):
            pick("日期“\(text)”无效：没有 \(m) 月", "invalid date '\(text)': there is no month \(m)")
        case .day(let y, let m, let d, let length):
            pick("日期“\(text)”无效：\(y) 年 \(m) 月没有 \(d) 日（该月只有 \(length) 天）",
                 "invalid date '\(text)': \(Self.monthNames[m - 1]) \(y) has no day \(d) (it has \(length) days)")
        }
    }

    func badNumber(_ name: String, _ text: String, _ metric: Metric) -> String {
        let example = pick(metric.scale == 100 ? "1200 或 1200.50" : "120", metric.scale == 100 ? "1200 or 1200.50" : "120")
        if let slip = metric.whyNotAnAmount(text) {
            let why = switch slip {
            case .unit(let unit): pick("请只写数字，不要写单位“\(unit)”", "write the number only, without the unit '\(unit)'")
            case .wholeNumber: pick("\(metric.name)须为整数", "\(metric.english) is a whole number")
            case .tooManyDecimals: pick("最多两位小数（分）", "at most 2 decimals (fen)")
            }
            return pick("\(name) 的值“\(text)”不是有效数量：\(why)，例如 \(example)", "\(name) value '\(text)' is not a valid amount: \(why), e.g. \(example)")
        }
        return pick("\(name) 的值“\(text)”不是有效数量：请写整数\(metric.scale == 100 ? "（最多两位小数）" : "")，例如 \(example)",
                    "\(name) value '\(text)' is not a valid amount: write a whole number\(metric.scale == 100 ? " (at most 2 decimals)" : ""), e.g. \(example)")
    }

    // MARK: Activities

    func activityWords(_ detail: Detail) -> String {
        switch detail {
        case .badActivityID(let text):
            terminal(pick("“\(text)”不是活动编号：编号形如 3fa9c2d1b0e4-17", "'\(text)' is not an activity id: ids look like 3fa9c2d1b0e4-17"),
                     command: "，可用 ktx list 查看", "; see `ktx list`")
        case .unknownActivity(let id):
            fields.terminal
                ? pick("没有编号为 \(id) 的活动；可用 ktx list 查看现有活动，或先运行 ktx sync", "no activity with id \(id); see `ktx list`, or run `ktx sync` first")
                : pick("没有编号为 \(id) 的活动：它可能尚未同步到本机，请先同步", "no activity with id \(id): it may not have reached this PC yet; sync first")
        case .activityDeleted(let id): pick("活动 \(id) 已删除，不能再修改", "activity \(id) has been deleted and cannot be changed")
        case .notDeleted(let id): pick("活动 \(id) 没有被删除，无需恢复", "activity \(id) is not deleted; there is nothing to restore")
        case .restoredAlready(let id, let earlier): pick("活动 \(id) 已恢复为 \(earlier)，无需再恢复", "activity \(id) was restored as \(earlier) already")
        case .otherTownship(let id, let owner, let mine):
            pick("活动 \(id) 属于“\(owner)”，本副本属于“\(mine)”：只能修改本乡镇的活动",
                 "activity \(id) belongs to \(owner) and this replica to \(mine): only a township's own replicas may change its activities")
        case .negativeResult(let id, let metric, let current, let change):
            pick("活动 \(id) 的\(metric.name)现为 \(metric.format(current))，减去 \(metric.format(-change)) 会变成负数；未做更改",
                 "activity \(id) has \(metric.english) \(metric.format(current)); subtracting \(metric.format(-change)) would make it negative. Nothing was changed")
        case .nothingToChange:
            nothingToChange()
        case .refusedLocally(let reason):
            pick("该更改不符合操作规则（\(reason.message(.zh))），未写入", "this change breaks the operation rule (\(reason.message(.en))); nothing was written")
        case .outsideRights(_, let township, let roleKnown):
            pick("未写入：只有县科协的电脑可以填报指标值和偏差原因，本机是“\(township)”的副本，各处都会拒收。请由县科协在其电脑上运行此命令"
                    + (roleKnown ? "" : "（若这就是县科协的电脑：用县级令牌同步一次，或由县科协以 --county 批准本机后同步一次，即可填报）"),
                 "nothing was written: only the county's PCs may set indicator values and notes; this PC is a replica of \(township), and every receiver would refuse it. Ask the county to run this on its PC"
                    + (roleKnown ? "" : " (if this is the county's PC: sync once with a county token, or once the county approved it with --county)"))
        default: unrouted(detail)
        }
    }

    func nothingToChange() -> String {
        let names = [InputField.title, .date, .venue, .kind, .project].map { fields.name($0, language) }
        return pick("没有要修改的内容：请至少给出 \(names.joined(separator: "、")) 之一", "nothing to change: give at least one of \(names.joined(separator: ", "))")
    }

    // MARK: The year's close

    func yearWords(_ detail: Detail) -> String {
        switch detail {
        case .approvedAlready(let year, let township):
            pick("\(township) 的 \(year) 年度已经批准，无需再批准", "\(township)'s \(year) is approved already")
        case .notSubmitted(let year, let township):
            pick("\(township) 尚未提交 \(year) 年度（或退回后尚未重新提交），不能批准：请乡镇在其电脑上运行 ktx submit --year \(year) 并同步",
                 "\(township) has not submitted \(year) (or has not submitted again since it was returned): the township runs `ktx submit --year \(year)` on its PC and syncs")
        case .townshipsNotApproved(let year, let names):
            pick("还有乡镇的 \(year) 年度未批准：\(names.joined(separator: "、"))；全部批准后才能关闭县科协的年度",
                 "\(year) is not approved yet for: \(names.joined(separator: ", ")); the county's own year closes once every township's is approved")
        case .nothingToReturn(let year, let township):
            pick("\(township) 的 \(year) 年度尚未提交，无可退回", "\(township) has not submitted \(year): there is nothing to return")
        case .noAmendments(let year, let missing):
            terminal(pick("这些活动没有待接受的 \(year) 年度更正：\(missing.joined(separator: "、"))；未写入任何内容",
                          "no amendments to \(year) are waiting on: \(missing.joined(separator: ", ")); nothing was written"),
                     command: "（ktx amendments --year \(year) 列出待接受的更正）", " (`ktx amendments --year \(year)` lists those waiting)")
        default: unrouted(detail)
        }
    }

    // MARK: Remotes

    func remoteWords(_ detail: Detail) -> String {
        switch detail {
        case .badRemoteName(let name):
            pick("远端名称“\(name)”无效：请用字母、数字、汉字、- 或 _，不超过 40 个字", "invalid remote name '\(name)': use letters, digits, -, or _, at most 40 characters")
        case .remoteExists(let name):
            pick("远端“\(name)”已存在；如需更换位置，请先 ktx remote remove \(name)", "remote '\(name)' already exists; run `ktx remote remove \(name)` first to change it")
        case .unknownRemote(let name, let known):
            pick("没有名为“\(name)”的远端；已有：\(known.isEmpty ? "（无）" : known.joined(separator: "、"))",
                 "no remote named '\(name)'; known remotes: \(known.isEmpty ? "(none)" : known.joined(separator: ", "))")
        case .noRemote:
            pick("尚未添加远端：请先运行 ktx remote add 名称 文件夹路径", "no remote yet: run `ktx remote add NAME FOLDER` first")
        case .ambiguousRemote(let names):
            pick("有多个远端（\(names.joined(separator: "、"))）：请指定要同步的远端，例如 ktx sync \(names.first ?? "")",
                 "there are several remotes (\(names.joined(separator: ", "))): name the one to sync, e.g. `ktx sync \(names.first ?? "")`")
        case .badRemoteURL(let text):
            pick("地址“\(text)”无效：请写成 https://主机:端口，例如 https://hub.example.cn:8080",
                 "invalid address '\(text)': write it as https://HOST:PORT, e.g. https://hub.example.cn:8080")
        case .badRemoteLocation(let location) where location.hasPrefix("\\\\") || location.hasPrefix("//"):
            pick("“\(location)”是 Windows 共享路径，ktx 不能直接使用：请先把共享盘挂载（映射）为本机文件夹，再写那个文件夹的路径",
                 "'\(location)' is a Windows share path, which ktx cannot use directly: mount (map) the share as a local folder and give that folder's path")
        case .badRemoteLocation(let location):
            pick("不认识的地址“\(location)”：远端只能是文件夹路径（共享盘或 U 盘）或 http(s)://主机:端口",
                 "unknown kind of address '\(location)': a remote is a folder path (shared drive or USB stick) or http(s)://HOST:PORT")
        case .httpRemoteNeedsToken:
            pick("HTTP 远端需要令牌：请给出 --token 令牌 或 --token-env 环境变量名（二选一）", "an HTTP remote needs a token: give either --token TOKEN or --token-env VAR")
        case .tokenForFolder:
            pick("--token 和 --token-env 只用于 HTTP 远端；文件夹远端不需要令牌", "--token and --token-env are for HTTP remotes only; a folder needs no token")
        case .tokenVariableUnset(let remote, let variable):
            pick("远端 \(remote) 的令牌应在环境变量 \(variable) 中，但它未设置",
                 "the token of remote \(remote) should be in the environment variable \(variable), which is not set")
        case .noStoredToken(let remote, let file):
            pick("找不到远端 \(remote) 的令牌（\(file)）：请 ktx remote remove 后用 --token 重新添加",
                 "no token stored for remote \(remote) (\(file)): remove it and add it again with --token")
        case .wrongToken(let mine, let township, let tokenRole):
            mine == .county
                ? pick("未同步：本机是县科协的副本，而这个同步地址的令牌是\(tokenRole == Roster.Role.township.rawValue ? "乡镇" : "其他")令牌。请用县级令牌：ktx remote add 名称 地址 --token 县级令牌",
                       "not synced: this PC is a county replica, and this remote's token is a \(tokenRole) token. Use a county token: ktx remote add NAME URL --token COUNTY_TOKEN")
                : pick("未同步：本机是“\(township)”的副本，而这个同步地址的令牌是县级令牌，会把本机登记成县科协的电脑。请向县科协要一个“\(township)”的乡镇令牌：ktx remote add 名称 地址 --token 乡镇令牌",
                       "not synced: this PC is a replica of \(township), and this remote's token is a county token, which would register it as a county PC. Ask the county for a township token of \(township): ktx remote add NAME URL --token TOWNSHIP_TOKEN")
        default: unrouted(detail)
        }
    }

    // MARK: Hubs

    func folderWords(_ detail: Detail) -> String {
        switch detail {
        case .hubUnreadable(let location, let reason):
            pick("无法访问同步文件夹 \(location)（\(reason)）：请检查 U 盘或共享盘是否已连接、路径是否正确、是否有读写权限；本地数据未受影响",
                 "cannot use the hub folder \(location) (\(reason)): check that the USB stick or shared drive is connected, the path is right and writable; local data is untouched")
        case .notAHub(let location):
            pick("文件夹 \(location) 不是 ktx 同步文件夹（没有 ktx-hub.json）：请检查路径；新的同步文件夹由县科协用 ktx hub init 文件夹 建立",
                 "folder \(location) is not a ktx hub (no ktx-hub.json): check the path; the county makes a new hub folder with `ktx hub init FOLDER`")
        case .folderNotEmpty(let location):
            pick("文件夹 \(location) 不为空，也不是 ktx 同步文件夹：请用一个新的或空的文件夹", "folder \(location) is not empty and not a ktx hub: use a new or empty folder")
        case .hubMissing(let location):
            pick("同步文件夹 \(location) 不存在：U 盘未插入？共享盘未连接？路径写错了？未同步任何内容。新的同步文件夹由县科协用 ktx hub init 文件夹 建立",
                 "hub folder \(location) does not exist: USB stick not inserted? share not mounted? a typo? Nothing was synced. The county makes a new hub folder with `ktx hub init FOLDER`")
        case .linkInHub(let location, let name):
            pick("同步文件夹 \(location) 里的 \(name) 是链接或文件，不是文件夹：ktx 从不经链接写入（可能有人想把文件引到别处）。请删除它后再同步",
                 "\(name) in hub folder \(location) is a link or a file, not a folder: ktx never writes through a link (someone may be steering files elsewhere). Delete it and sync again")
        case .hubKeyChanged(let location, let pinned, let found):
            pick("同步文件夹 \(location) 的县科协公钥\(found.map { "（\($0)）" } ?? "不见了")，与添加时记下的（\(pinned)）不同：文件夹可能被人替换或改动。未同步任何内容；请与县科协核对",
                 "hub folder \(location) \(found.map { "carries the county key \($0)" } ?? "no longer carries a county key"), not the one pinned when it was added (\(pinned)): the folder may have been replaced or altered. Nothing was synced; check with the county")
        case .badRoster(let location, let why):
            pick("同步文件夹 \(location) 的登记名册（roster.json）无效（\(why)）：未同步任何内容；请县科协在其电脑上再运行 ktx hub init \(location)",
                 "hub folder \(location) has no valid roster (roster.json: \(why)): nothing was synced; the county runs `ktx hub init \(location)` again on its PC")
        case .notTheCounty(let location, let governor):
            pick("本副本不是管理同步文件夹 \(location) 的县科协副本（其公钥指纹 \(governor)）：请在建立该文件夹的县科协电脑上运行，或用 --db 指定其数据库",
                 "this replica does not govern hub folder \(location) (the county key is \(governor)): run this on the county PC that made it, or name its database with --db")
        case .scopeNeedsRoster(let location):
            pick("只同步本乡镇（--scope township）需要由县科协管理的同步文件夹：请县科协先运行 ktx hub init \(location)，或去掉此远端的范围",
                 "pulling only this township (--scope township) needs a folder the county governs: ask the county to run `ktx hub init \(location)`, or add the remote without a scope")
        case .unknownRequest(let replica):
            pick("同步文件夹里没有副本 \(replica) 的登记申请，也没有它的操作：请核对副本编号（ktx hub requests 列出申请）",
                 "the hub folder holds no request from replica \(replica) and none of its operations: check the id (`ktx hub requests` lists requests)")
        case .notEnrolled(let replica):
            pick("副本 \(replica) 不在同步文件夹的登记名册中", "replica \(replica) is not enrolled on this hub folder")
        case .countyNotRevocable:
            pick("不能停用县科协自己的副本", "the county's own replica cannot be revoked")
        case .copiedReplica(let replica, let file):
            pick("这台电脑的数据库与另一台电脑（或备份）是同一个副本 \(replica)：同步处已有该副本同一段序号的另一份记录（\(file)）。本机记录未丢失；请勿在两台电脑上使用同一个数据库文件",
                 "this PC's database is the same replica \(replica) as another PC's (or a backup's): the hub holds other operations for the same seqs (\(file)). Nothing here is lost; do not use one database file on two PCs")
        case .notPlaced(let from, let to, let location):
            pick("本机第 \(from)–\(to) 条操作未能放进同步位置 \(location)；请再同步一次，仍不行请告知县科协",
                 "this PC's operations \(from)–\(to) could not be placed in \(location); sync again, and tell the county if it persists")
        case .hubWaits(let why):
            pick("同步服务器暂不能接收部分操作（\(why)）；请稍后再同步", "the hub cannot take some operations yet (\(why)); sync again later")
        default: unrouted(detail)
        }
    }

    func httpWords(_ detail: Detail) -> String {
        switch detail {
        case .unknownToken(let id):
            pick("没有编号为 \(id) 的有效令牌；可用 ktx hub token list 查看", "no active token with id \(id); see `ktx hub token list`")
        case .hubUnauthorized(let location):
            pick("同步服务器 \(location) 拒绝了令牌：请向县科协确认令牌是否正确、是否已吊销，然后用 ktx remote add 重新添加；本地数据未受影响",
                 "the hub at \(location) rejected the token: check with the county that it is right and not revoked, then add the remote again; local data is untouched")
        case .hubForbidden(let location, let code, let message):
            pick("同步服务器 \(location) 不允许此操作（\(hubReason(code, 403, .zh))）；本地数据未受影响",
                 "the hub at \(location) does not allow this (\(message ?? hubReason(code, 403, .en))); local data is untouched")
        case .hubRefusedRequest(let location, let status, let code, let message):
            pick("同步服务器 \(location) 拒绝了请求（HTTP \(status)：\(hubReason(code, status, .zh))）；本地数据未受影响",
                 "the hub at \(location) refused the request (HTTP \(status): \(message ?? hubReason(code, status, .en))); local data is untouched")
        case .hubUnreachable(let location, let reason):
            pick("无法连接县同步服务器 \(location)（\(unreachable(reason, .zh))）：请检查网络连接和地址是否正确；本地数据未受影响",
                 "cannot reach the hub at \(location) (\(unreachable(reason, .en))): check the connection and the address; local data is untouched")
        case .hubAnswerUnreadable(let location, let problem):
            pick("同步服务器 \(location) 的应答无法识别（\(answer(problem, .zh))）：请确认地址指向 ktx hub serve",
                 "\(answer(problem, .en)) (\(location)): check that the address points at `ktx hub serve`")
        case .badPort(let text):
            pick("端口 \(text) 无效：请用 1 到 65535 之间的数字，例如 --port 8080", "port \(text) is not valid: use a number from 1 to 65535, e.g. --port 8080")
        case .portInUse(let host, let port, true):
            pick("端口 \(port) 已被其他程序占用（\(host)）：可能已有一个 ktx hub serve 在运行；请停止它，或用 --port 换一个端口",
                 "port \(port) on \(host) is already in use: perhaps a `ktx hub serve` is running already; stop it, or pick another with --port")
        case .portInUse(_, let port, false):
            pick("没有权限监听端口 \(port)（1024 以下的端口需要管理员权限）：请用 --port 换一个 1024 以上的端口",
                 "not allowed to listen on port \(port) (ports below 1024 need administrator rights): pick one above 1024 with --port")
        case .badHost(let host):
            pick("无法在地址 \(host) 上监听：它不是本机的地址；请用 --host 0.0.0.0（所有网卡）或 127.0.0.1（仅本机）",
                 "cannot listen on \(host): it is not an address of this machine; use --host 0.0.0.0 (every interface) or 127.0.0.1 (this machine only)")
        default: unrouted(detail)
        }
    }

    /// A hub's refusal code in words (in Chinese, the code beside them; a code this version
    /// does not know, as the code).
    func hubReason(_ code: String?, _ status: Int?, _ language: Language) -> String {
        guard let code else { return "HTTP \(status.map(String.init) ?? "")" }
        return HubCode.words(code, language).map { language == .zh ? "\($0)，\(code)" : $0 } ?? code
    }

    func unreachable(_ reason: UnreachableReason, _ language: Language) -> String {
        let (zh, en): (String, String) = switch reason {
        case .refused: ("连接被拒绝：那里是否在运行 ktx hub serve？", "connection refused: is `ktx hub serve` running there?")
        case .timeout: ("超时", "timed out")
        case .lost: ("连接中断", "connection lost")
        case .badAddress: ("地址无效", "bad address")
        case .networkUnreachable: ("网络不通", "network unreachable")
        case .unknownHost: ("找不到该主机名", "name not found")
        case .tls: ("加密连接失败", "secure connection failed")
        case .noConnection: ("无法建立连接：请检查地址和网络", "no connection: check the address and the network")
        case .other: ("网络错误", "network error")
        }
        return language.pick(zh: zh, en: en)
    }

    func answer(_ problem: AnswerProblem, _ language: Language) -> String {
        let (zh, en): (String, String) = switch problem {
        case .badVector: ("版本向量格式不对", "the hub sent a malformed version vector")
        case .unreadable(let path): ("\(path) 的应答无法读取", "the hub's answer to \(path) could not be read")
        case .unknownReplica: ("发来了未知副本的一批操作", "the hub sent a batch of an unknown replica")
        case .badStream: ("拉取的数据流无法读取", "the hub's pull stream could not be read")
        case .streamCut: ("拉取的数据流提前中断", "the hub's pull stream ended before its end")
        }
        return language.pick(zh: zh, en: en)
    }

    // MARK: The hub's PostgreSQL database

    func databaseServerWords(_ detail: Detail) -> String {
        switch detail {
        case .newerHubDatabase(let applied, let known):
            pick("集线器的 PostgreSQL 数据库是较新版本的 ktx 建的（迁移 \(applied)，本版本只到 \(known)）：请升级本节点的 ktx",
                 "the hub's PostgreSQL database was made by a newer ktx (migration \(applied); this version knows \(known)): upgrade ktx on this node")
        case .notANodeCopy(let path, let marker):
            pick("\(path) 不是集线器节点的副本（旁边没有 \(marker)）：使用 --database 时，--db 指定本节点的副本文件；请换一个新路径（原文件不会被改动）",
                 "\(path) is not a hub node's copy (there is no \(marker) beside it): with --database, --db names this node's copy; give a new path (that file is left as it is)")
        case .viewAhead(let path, let replica, let seq, let database):
            pick("本节点的副本（\(path)）含有数据库中没有的操作（副本 \(replica) 到序号 \(seq)，数据库只到 \(database)）：数据库可能是从较早的备份恢复的。请删除该文件（节点会从数据库重建），并让各乡镇重新同步以补回缺少的操作",
                 "this node's copy of the hub (\(path)) holds operations the database lacks (replica \(replica) up to seq \(seq), the database up to \(database)): the database may have been restored from an older backup. Remove that file (the node rebuilds it from the database) and have the townships sync again to push back what is missing")
        case .databaseUnusable(let why):
            pick("无法使用集线器数据库：\(why)", "cannot use the hub's database: \(why)")
        case .passwordInURL:
            pick("数据库地址里不能写密码（它会留在命令历史和进程列表里）：请放在环境变量 PGPASSWORD 或 --password-file 指定的文件中",
                 "the database address must not hold a password (it would show in the shell's history and the process list): put it in PGPASSWORD or a file named by --password-file")
        case .passwordFileUnreadable(let path):
            pick("读不了密码文件 \(path)", "cannot read the password file \(path)")
        case .badDatabaseURL(let shown, let problem):
            pick("数据库地址“\(shown)”无效：\(databaseURL(problem, .zh))", "invalid database address '\(shown)': \(databaseURL(problem, .en))")
        case .badDatabaseName(let name):
            pick("数据库名只能含小写字母、数字和下划线：\(name)", "a database name holds lower-case letters, digits and _ only: \(name)")
        default: unrouted(detail)
        }
    }

    func databaseURL(_ problem: DatabaseURLProblem, _ language: Language) -> String {
        let (zh, en): (String, String) = switch problem {
        case .form: ("应形如 postgres://用户@主机:端口/数据库", "expected postgres://USER@HOST:PORT/DB")
        case .noHost: ("缺少主机名", "the address names no host")
        case .noUser: ("缺少用户名（postgres://用户@主机/数据库）", "the address names no user (postgres://USER@HOST/DB)")
        case .noDatabase: ("缺少数据库名（postgres://用户@主机/数据库）", "the address names no database (postgres://USER@HOST/DB)")
        case .parameter: ("只认得参数 sslmode=disable|prefer|require", "the only parameter understood is sslmode=disable|prefer|require")
        }
        return language.pick(zh: zh, en: en)
    }
}
