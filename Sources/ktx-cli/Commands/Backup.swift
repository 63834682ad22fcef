import ArgumentParser
import Foundation
import HubStorage
import Store
import SyncCore

extension Ktx {
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy this replica to a backup file, safely while ktx is in use. 备份本副本。",
            discussion: """
                The file is one self-contained SQLite database; an existing file is never overwritten. \
                To restore: copy it back as the replica's database (or name it with --db). Its next \
                sync takes back from the hub what this PC published after the backup.
                Example: ktx backup /media/usb/河西镇-2023-12-31.db
                """)

        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp(L("The backup file to write.", "要写入的备份文件。"))) var file: String

        func run() async throws {
            try await reportingErrors(options) {
                let summary = try options.openStore().backup(to: file.trimmingSpaces())
                Console.out(options.language.pick(
                    zh: "已备份到 \(summary.path)（\(summary.activities) 条活动，\(summary.bytes / 1024) KiB，检查无误）。恢复：把它复制回副本数据库的位置，再运行 ktx sync",
                    en: "backed up to \(summary.path) (\(summary.activities) activities, \(summary.bytes / 1024) KiB, checked). To restore: copy it back where the replica's database was, then run `ktx sync`"))
            }
        }
    }
}

extension Ktx.HubCommand {
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the HTTP hub's database to a backup file while it serves. 备份同步服务器数据库。",
            discussion: """
                Safe while `ktx hub serve` runs (SQLite's online backup, the WAL included); an existing \
                file is never overwritten. To restore: stop the hub, copy the file back as its database, \
                start it again; offices push again what it lacks at their next sync.
                Example: ktx hub backup --db /srv/ktx/hub.db /srv/backup/hub-2023-12-31.db
                """)

        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp(L("The backup file to write.", "要写入的备份文件。"))) var file: String

        func run() async throws {
            try await reportingErrors(options) {
                let summary = try options.openHub(at: try options.hubDatabasePath()).backup(to: file.trimmingSpaces())
                Console.out(options.language.pick(
                    zh: "已备份同步服务器数据库到 \(summary.path)（\(summary.tokens) 个令牌，\(summary.bytes / 1024) KiB，检查无误）",
                    en: "backed up the hub's database to \(summary.path) (\(summary.tokens) tokens, \(summary.bytes / 1024) KiB, checked)"))
            }
        }
    }
}
