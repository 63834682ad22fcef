import Foundation
import SyncCore
import Testing
import TestSupport

/// The help of the two commands a clerk and the county use most, exactly, in the language
/// asked for: option help follows `--lang` (else `LANG`, else Chinese).
@Suite struct HelpTextTests {
    @Test func recordHelpInChinese() throws {
        let dir = TemporaryDirectory("help")
        defer { dir.remove() }
        let result = try KtxProcess(workingDirectory: dir.path).run(["record", "--help", "--lang", "zh"])
        #expect(result.status == 0)
        #expect(result.stdout == Self.recordZH)
    }

    @Test func reportHelpInEnglish() throws {
        let dir = TemporaryDirectory("help")
        defer { dir.remove() }
        let result = try KtxProcess(workingDirectory: dir.path).run(["report", "--help", "--lang", "en"])
        #expect(result.status == 0)
        #expect(result.stdout == Self.reportEN)
    }

    /// `ktx record` offers an option for every quantity of the catalog (argument-parser's
    /// options are declared, not read from the catalog): a metric added to the catalog without
    /// its option fails here.
    @Test func recordOffersAnOptionForEveryQuantityOfTheCatalog() throws {
        let dir = TemporaryDirectory("help")
        defer { dir.remove() }
        let help = try KtxProcess(workingDirectory: dir.path).ok(["record", "--help", "--lang", "en"])
        for metric in Catalog.standard.metrics {
            #expect(help.contains("--\(metric.code) <"), "ktx record has no --\(metric.code)")
        }
    }

    @Test func optionHelpFollowsLANG() throws {
        let dir = TemporaryDirectory("help")
        defer { dir.remove() }
        let en = try KtxProcess(workingDirectory: dir.path, environment: ["LANG": "en_US.UTF-8"]).ok(["attend", "--help"])
        #expect(en.contains("The amount to add; negative for a correction."))
        let zh = try KtxProcess(workingDirectory: dir.path, environment: ["LANG": "zh_CN.UTF-8"]).ok(["attend", "--help"])
        #expect(zh.contains("要加的数量；更正时可为负数。"))
    }

    static let recordZH = #"""
OVERVIEW: 记录本乡镇的一次活动，只输出新活动的编号。

必填 --kind、--date、--title，其后可写各项数量。满意人数不能多于调查人数，展品损坏数不能多于展品数。
例：id=$(ktx record --kind 科技下乡 --date 2023-05-20 --title 果树修剪培训 --attendance 120)

USAGE: ktx record <options>

OPTIONS:
  --db <path>             副本数据库。默认：$KTX_DB，否则
                          $XDG_DATA_HOME/ktx/ktx.db（~/.local/share/ktx/ktx.db）。
  --lang <lang>           提示与表格的语言：zh 或 en。默认按 LANG，否则中文。 (values: zh, en)
  --kind <kind>           活动类型，中文名或代码：科技下乡 (rural)、青少年科普日 (youth)、科技活动周
                          (week)、流动科技馆 (museum)、全国科普日 (national)、科技培训
                          (training)。
  --date <date>           活动日期：2023-05-20、2023/5/20 或 2023年5月20日。
  --title <title>         简短的标题，例如 果树修剪技术培训。
  --venue <venue>         活动地点。
  --project <code>        所属预算项目编码。
  --notes <text>          备注，例如协办单位。
  --attendance <n>        参加人次。
  --beneficiaries <n>     受益人数。
  --schools <n>           受益学校数。
  --enterprises <n>       参加培训企业数。
  --techniques <n>        推广新品种新技术数。
  --exhibits <n>          展品数。
  --damaged <n>           展品损坏数。
  --surveyed <n>          满意度调查人数。
  --satisfied <n>         满意人数。
  --cost <yuan>           费用，单位元，最多两位小数。
  --version               Show the version.
  -h, --help              Show help information.


"""#

    static let reportEN = #"""
OVERVIEW: The performance tables (绩效目标表) of a year, computed from the merged
records.

Per budget project: each indicator with its target, the actual value, the
completion rate and 达标/未达标 (待填报 for a manual one with no value: see `ktx
indicator set`), then spending, plan against actual cumulative cost at each
checkpoint. Shipped targets: 2020, 2023; for another year, --targets FILE
(start from `ktx targets show --year 2023`).
--form self-evaluation gives the year-end 项目支出绩效自评表 instead: per project, the
funds (年初预算数, 全年预算数, 全年执行数, 执行率, 分值 10 and 得分), the goal for the year, every
indicator with 分值 (from the targets file; else 产出 50, 效益 30, 满意度 10 split
evenly) and 得分 (分值 × completion, at most 分值), the total and its grade (优 ≥ 90,
良 80–90, 中 60–80, 差 < 60); with --unit, --filler, --phone and --filled-on in
its header.
Examples:
  ktx report --year 2023
  ktx report --year 2023 --quarter 2 --project rural
  ktx report --year 2023 --format html --output 2023绩效.html
  ktx report --year 2023 --form self-evaluation --filler 张三 --format xlsx
--output 2023自评表.xlsx

USAGE: ktx report [<options>] --year <YYYY>

OPTIONS:
  --db <path>             The replica database. Default: $KTX_DB, else
                          $XDG_DATA_HOME/ktx/ktx.db (~/.local/share/ktx/ktx.db).
  --lang <lang>           Language of messages and tables: zh or en. Default:
                          from LANG, else zh. (values: zh, en)
  --year <YYYY>           The budget year.
  --project <project>     Only this project: its short key (e.g. rural), code
                          or name.
  --quarter <1-4>         Report as of the end of this quarter (1-4) instead of
                          the year.
  --format <format>       table, json, csv, html (one self-contained page that
                          prints on A4) or xlsx (Excel; needs --output).
                          (values: table, json, csv, html, xlsx; default: table)
  --form <form>           summary, self-evaluation (the year-end 项目支出绩效自评表) or
                          monitoring (the mid-year 绩效运行监控表). (values: summary,
                          self-evaluation, monitoring; default: summary)
  --through <month>       The monitoring form's last month (1–12; default 7:
                          1–7月).
  --scoring <file>        The self-evaluation form's scoring rules: a file
                          written like `ktx scoring show` prints (default: the
                          national rules).
  --unit <name>           The self-evaluation form's 填报单位 (default: the targets
                          file's unit).
  --filler <name>         The self-evaluation form's 填报人.
  --phone <phone>         The self-evaluation form's 联系电话.
  --filled-on <YYYY-MM-DD>
                          The self-evaluation form's 填报日期 (default: today).
  --targets <file>        A targets file to use instead of the shipped one.
  --output <file>         Write to this file instead of standard output.
  --version               Show the version.
  -h, --help              Show help information.


"""#
}
