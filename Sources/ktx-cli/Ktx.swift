import ArgumentParser
import Foundation
import HubStorage
import KtxWords
import Store
import SyncCore

/// `ktx`: record township outreach activities offline and merge them through a hub.
@main
struct Ktx: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ktx",
        abstract: "县科协活动记录与离线同步 / Offline-first records of science outreach, synced through a hub.",
        discussion: """
            A township office records activities and attendance in a local replica with no \
            network, and runs `ktx sync` when a shared folder or USB stick is at hand.
            乡镇科协在本地副本中离线记录活动与参加人次，有共享文件夹或 U 盘时运行 ktx sync 合并。

            Exit status: 0 on success, 64 for bad input (nothing is changed), 1 when the \
            database or hub cannot be used.
            """,
        version: "0.4.0",
        subcommands: [
            Init.self, Record.self, Attend.self, Edit.self, Delete.self, Restore.self,
            Show.self, List.self, Totals.self,
            Import.self, Export.self, ReportCommand.self, IndicatorCommand.self, TargetsCommand.self,
            Submit.self, Approve.self, Return.self, Amendments.self, Verify.self, ScoringCommand.self,
            RemoteCommand.self, Sync.self, UICommand.self, DashboardCommand.self, Status.self, Log.self, Check.self, Rebuild.self, Backup.self, HubCommand.self,
        ]
    )
}

extension Ktx {
    /// Runs the command line, reporting a usage error in one line on stderr (what is wrong,
    /// and where the help is) instead of argument-parser's several lines; help, version
    /// and exit statuses keep argument-parser's handling.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            // A command that runs and ends holds less memory in two malloc arenas; a server
            // keeps glibc's default for its concurrent requests.
            if !(command is HubCommand.Serve || command is UICommand || command is DashboardCommand) {
                ProcessMemory.limitArenasForACommand()
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode { exit(withError: error) }
            if let slip = subcommandSlip(arguments) {
                Console.error("ktx: " + slip)
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
            let message = self.message(for: error)
            if message.isEmpty { exit(withError: error) }
            let help = (["ktx"] + subcommandPath(arguments) + ["--help"]).joined(separator: " ")
            let line = message.split(separator: "\n").first.map(String.init) ?? message
            if language(arguments) == .zh, let zh = usageInChinese(line) {
                Console.error("ktx: \(zh)（见 \(help)）")
            } else {
                Console.error("ktx: \(line) (see `\(help)`)")
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// The language a command line asks for (`--lang`), else the environment's.
    static func language(_ arguments: [String]) -> Language {
        Language.resolve(explicit: arguments.firstIndex(of: "--lang").flatMap {
            arguments.indices.contains($0 + 1) ? Language(rawValue: arguments[$0 + 1]) : nil
        }, environment: ProcessInfo.processInfo.environment)
    }

    /// argument-parser's usage errors, in Chinese (its own text is English only).
    static func usageInChinese(_ line: String) -> String? {
        if let m = line.wholeMatch(of: /Missing expected argument '(.+)'/) { return "缺少参数 \(m.1)" }
        if let m = line.wholeMatch(of: /Unknown option '(.+)'/) { return "没有选项 \(m.1)" }
        if let m = line.wholeMatch(of: /Unexpected argument '(.+)'/) { return "多余的参数“\(m.1)”" }
        if let m = line.wholeMatch(of: /\d+ unexpected arguments: (.+)/) { return "多余的参数：\(m.1)" }
        if let m = line.wholeMatch(of: /Missing value for '(.+)'/) { return "\(m.1) 缺少取值" }
        if let m = line.wholeMatch(of: /The value '(.*)' is invalid for '(\S+)[^']*'\. Please provide one of (.+)\./) {
            let choices = m.3.replacingOccurrences(of: "'", with: "").replacingOccurrences(of: " or ", with: "、")
                .replacingOccurrences(of: ", ", with: "、")
            return "\(m.2) 的值“\(m.1)”无效，可用：\(choices)"
        }
        return nil
    }

    /// A mistyped subcommand (`ktx recrod`), answered with the one probably meant.
    static func subcommandSlip(_ arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = Ktx.self
        var path = ["ktx"]
        // The words that may name subcommands: not options, nor the values of --db and --lang.
        var candidates: [String] = []
        var skip = false
        for argument in arguments {
            if skip { skip = false; continue }
            if argument == "--db" || argument == "--lang" { skip = true; continue }
            if !argument.hasPrefix("-") { candidates.append(argument) }
        }
        var words = candidates.makeIterator()
        while let word = words.next() {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            if let next = subcommands.first(where: { $0._commandName == word }) {
                path.append(word)
                command = next
                continue
            }
            let names = subcommands.map { $0._commandName }
            let language = language(arguments)
            let here = path.joined(separator: " ")
            if let near = TypedInput.nearest(word, among: names) {
                return language.pick(zh: "没有子命令“\(word)”；是不是 \(here) \(near)？（\(here) --help 列出全部）",
                                     en: "no subcommand '\(word)'; did you mean `\(here) \(near)`? (`\(here) --help` lists them)")
            }
            return language.pick(zh: "没有子命令“\(word)”；可用：\(names.joined(separator: "、"))",
                                 en: "no subcommand '\(word)'; there are: \(names.joined(separator: ", "))")
        }
        return nil
    }

    /// The names of the subcommands the arguments reach, e.g. `["remote", "add"]`.
    static func subcommandPath(_ arguments: [String]) -> [String] {
        var command: any ParsableCommand.Type = Ktx.self
        var path: [String] = []
        for argument in arguments where !argument.hasPrefix("-") {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            path.append(argument)
            command = next
        }
        return path
    }
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        L("The replica database. Default: $KTX_DB, else $XDG_DATA_HOME/ktx/ktx.db (~/.local/share/ktx/ktx.db).", "副本数据库。默认：$KTX_DB，否则 $XDG_DATA_HOME/ktx/ktx.db（~/.local/share/ktx/ktx.db）。"),
        valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp(L("Language of messages and tables: zh or en. Default: from LANG, else zh.", "提示与表格的语言：zh 或 en。默认按 LANG，否则中文。")))
    var lang: Language?

    /// The database path: `--db`, else `$KTX_DB`, else the XDG data folder.
    var databasePath: String {
        let env = ProcessInfo.processInfo.environment
        if let db, !db.isEmpty { return db }
        if let path = env["KTX_DB"], !path.isEmpty { return path }
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/ktx/ktx.db" }
        let home = env["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/ktx/ktx.db"
    }

    var language: Language { Language.resolve(explicit: lang, environment: ProcessInfo.processInfo.environment) }

    func openStore() throws -> Store {
        let store = try Store.open(at: databasePath, upgrading: announceUpgrade)
        noteTightened(store)
        // A clock that ran ahead is put right before anything is dated by it, and the clerk
        // told. (On a read-only replica it cannot be; reading goes on, and a write says why.)
        if let repair = try? store.repairClock() { Console.error("ktx: " + repair.message(language)) }
        return store
    }

    /// Opens (or creates) the hub database at `path`.
    func openHub(at path: String) throws -> Store {
        let store = try Store.openHub(at: path, upgrading: announceUpgrade)
        noteTightened(store)
        return store
    }

    /// Says on stderr that a database other users could read was made private when opened.
    func noteTightened(_ store: Store) {
        guard let mode = store.tightenedFrom else { return }
        let octal = String(mode, radix: 8)
        Console.error(language.pick(
            zh: "ktx: 注意：\(store.path) 含本机的签名密钥，原先其他用户也能读取（权限 \(octal)），已改为只有本用户可读写（600）",
            en: "ktx: note: \(store.path) holds this PC's signing key and was readable by other users (mode \(octal)); it is now readable by its owner only (600)"))
    }

    /// Said on stderr before a database written by an earlier ktx is upgraded (once; its
    /// log is repacked, which takes a while when it is large).
    func announceUpgrade() {
        Console.error(language.pick(zh: "正在升级数据库到本版本的格式（只需一次，日志很大时需要几分钟，请勿中断）…",
                                    en: "upgrading the database to this version's format (once; a large log takes a few minutes, do not interrupt)…"))
    }
}

extension Language: ExpressibleByArgument {}

/// The language of this run's help: `--lang`, else `LANG`, else Chinese. argument-parser
/// builds help, completions and the man page from a fresh command, so option help written
/// with ``L(_:_:)`` follows it.
let helpLanguage = Ktx.language(Array(CommandLine.arguments.dropFirst()))

/// Help text in the language of this run.
func L(_ en: String, _ zh: String) -> String { helpLanguage == .zh ? zh : en }

/// Output formats.
enum TableFormat: String, ExpressibleByArgument, CaseIterable { case table, json }
enum ListFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv }
enum TextFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// Says on stderr that the operation log misses operations or was damaged, after a command
/// showed or wrote what the tables hold: the figures may lack records, and what the log
/// cannot give again will not reach the county. True when it said so.
func saidLogDamage(_ store: Store, _ options: GlobalOptions) throws -> Bool {
    guard let damage = try store.logDamage() else { return false }
    Console.error("ktx: " + options.language.pick(zh: "注意：", en: "warning: ") + damage.message(options.language))
    return true
}

/// Runs a command body, turning a ``KtxError`` into one line on stderr and an exit status.
func reportingErrors(_ options: GlobalOptions, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as KtxError {
        Console.error("ktx: " + error.message(options.language))
        throw ExitCode(error.isBadInput ? 64 : 1)
    } catch let error as ExitCode {
        throw error
    } catch {
        // Library text and Swift type names never reach a clerk; KTX_DEBUG=1 shows them.
        Console.error("ktx: " + options.language.pick(
            zh: "发生意外错误，已停止；未写入半截数据。请重试，如仍出现，请设置 KTX_DEBUG=1 重新运行并把输出交给县科协",
            en: "an unexpected error stopped ktx; nothing was half-written. Retry; if it persists, rerun with KTX_DEBUG=1 and send the output to the county"))
        if ProcessInfo.processInfo.environment["KTX_DEBUG"] == "1" { Console.error(String(reflecting: error)) }
        throw ExitCode(1)
    }
}
