import Testing
import TestSupport

/// Help is user-visible text: tested exactly, for the commands this work added or changed.
@Suite struct HelpTextTests {
    static let expected: [(arguments: [String], text: String)] = [
        (["check", "--help"], """
OVERVIEW: Verify this replica: SQLite integrity, every chunk of the log, the
tables against a rebuild. 检查副本。

Changes nothing. Exit status 0 when the replica is sound, 1 when a problem was
found (each is named, with what to do).

USAGE: ktx check [--db <path>] [--lang <lang>] [--format <format>]

OPTIONS:
  --db <path>             The replica database. Default: $KTX_DB, else
                          $XDG_DATA_HOME/ktx/ktx.db (~/.local/share/ktx/ktx.db).
  --lang <lang>           Language of messages and tables: zh or en. Default:
                          from LANG, else zh. (values: zh, en)
  --format <format>       text or json. (values: text, json; default: text)
  --version               Show the version.
  -h, --help              Show help information.


"""),
        (["hub", "serve", "--help"], """
OVERVIEW: Serve the hub over HTTP until SIGINT or SIGTERM.

Example: ktx hub serve --db /srv/ktx/hub.db --host 0.0.0.0 --port 8080

USAGE: ktx hub serve [--db <path>] [--lang <lang>] [--host <host>] [--port <port>] [--max-skew-hours <max-skew-hours>]

OPTIONS:
  --db <path>             The replica database. Default: $KTX_DB, else
                          $XDG_DATA_HOME/ktx/ktx.db (~/.local/share/ktx/ktx.db).
  --lang <lang>           Language of messages and tables: zh or en. Default:
                          from LANG, else zh. (values: zh, en)
  --host <host>           The address to listen on. (default: 127.0.0.1)
  --port <port>           The port to listen on, 1 to 65535. (default: 8080)
  --max-skew-hours <max-skew-hours>
                          Refuse operations dated more than this many hours
                          ahead of the hub's clock. (default: 24)
  --version               Show the version.
  -h, --help              Show help information.


"""),
        (["sync", "--help"], """
OVERVIEW: Push what the hub lacks and pull what this replica lacks. 与远端同步。

Safe to interrupt and to repeat: the next sync resumes where this one stopped.

USAGE: ktx sync [--db <path>] [--lang <lang>] [<remote>] [--format <format>]

ARGUMENTS:
  <remote>                The remote to sync with; may be omitted when there is
                          only one.

OPTIONS:
  --db <path>             The replica database. Default: $KTX_DB, else
                          $XDG_DATA_HOME/ktx/ktx.db (~/.local/share/ktx/ktx.db).
  --lang <lang>           Language of messages and tables: zh or en. Default:
                          from LANG, else zh. (values: zh, en)
  --format <format>       text or json. (values: text, json; default: text)
  --version               Show the version.
  -h, --help              Show help information.


"""),
    ]

    @Test(arguments: 0..<expected.count)
    func helpIsExactlyAsWritten(index: Int) throws {
        let dir = TemporaryDirectory("help")
        defer { dir.remove() }
        let (arguments, text) = Self.expected[index]
        let result = try KtxProcess(workingDirectory: dir.path, environment: ["COLUMNS": "80"]).run(arguments)
        #expect(result.status == 0)
        #expect(result.stdout == text)
    }

    /// The shell completions the package installs complete kinds and metrics by name and code.
    @Test(arguments: ["bash", "zsh", "fish"])
    func completionsOfferTheCatalogsKindsAndMetrics(shell: String) throws {
        let dir = TemporaryDirectory("completion")
        defer { dir.remove() }
        let script = try KtxProcess(workingDirectory: dir.path).ok(["--generate-completion-script", shell])
        for word in ["科技下乡", "流动科技馆", "rural", "参加人次", "satisfied", "restore", "backup"] {
            #expect(script.contains(word), "\(shell) completion lacks \(word)")
        }
    }
}
