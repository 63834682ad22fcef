import HubStorage
import KtxWords
import Store
import SyncCore

/// The pages' words in Chinese and English. Templates read them as `{{t.key}}`; a key a
/// template names that is missing here renders empty, which the router tests would show.
enum WebText {
    static let words: [String: (zh: String, en: String)] = [
        "app": ("科协活动同步", "ktx"),
        "county_app": ("县科协数据看板", "County dashboard"),
        "clerk_app": ("活动登记", "Activity records"),
        "skip": ("跳到正文", "Skip to content"),
        "login": ("登录", "Log in"),
        "logout": ("退出", "Log out"),
        "token": ("令牌", "Token"),
        "token_help": ("县科协或管理员的令牌（ktx hub token create 生成）。令牌不会出现在网址或日志中。",
                       "A county or admin token (made with `ktx hub token create`). It never appears in an address or a log."),
        "wrong_token": ("令牌不对或已吊销", "That token is wrong or revoked"),
        "township_token": ("乡镇令牌只用于同步；看板请用县科协或管理员的令牌", "A township token is for syncing only; log in with a county or admin token"),
        "admin_only": ("只有管理员可以管理令牌", "Only an admin manages tokens"),
        "cross_site": ("已拒绝：这个请求不是从本站的页面发出的（跨站请求）。请在本站页面上重新操作。",
                       "Refused: this request did not come from this site's own page (a cross-site request). Do it again from this site's page."),
        "not_loopback": ("此页面只供本机使用：请用 http://127.0.0.1 打开", "This page serves this PC only: open it at http://127.0.0.1"),
        "error": ("出错了", "Something is wrong"),
        "back": ("返回", "Back"),
        "overview": ("总览", "Overview"),
        "townships": ("乡镇", "Townships"),
        "activities": ("活动", "Activities"),
        "admin": ("令牌管理", "Tokens"),
        "year": ("年度", "Year"),
        "quarter": ("季度", "Quarter"),
        "full_year": ("全年", "Full year"),
        "show": ("查看", "Show"),
        "as_of": ("截至", "as of"),
        "project": ("项目", "Project"),
        "code": ("编码", "Code"),
        "level2": ("二级指标", "Level 2"),
        "indicator": ("三级指标", "Indicator"),
        "target": ("指标值", "Target"),
        "actual": ("实际值", "Actual"),
        "rate": ("完成率", "Completion"),
        "result": ("结果", "Result"),
        "indicators_met": ("达标指标", "indicators met"),
        "spent": ("费用（万元）", "spent (10k yuan)"),
        "self_evaluation": ("项目支出绩效自评表", "Self-evaluation form"),
        "view_form": ("查看（可打印）", "View (printable)"),
        "download_xlsx": ("下载 Excel", "Download Excel"),
        "download_html": ("下载网页版", "Download HTML"),
        "township": ("乡镇", "Township"),
        "activity_count": ("活动数", "Activities"),
        "pcs": ("各电脑（副本）", "PCs (replicas)"),
        "replica": ("副本", "Replica"),
        "role": ("角色", "Role"),
        "operations": ("操作数", "Operations"),
        "newest": ("最新操作", "Newest operation"),
        "last_push": ("上次推送", "Last push"),
        "refused": ("被拒收的操作", "Refused operations"),
        "clock_warning": ("时钟", "clock"),
        "not_synced": ("超过 N 天未同步", "Not synced for N days"),
        "days": ("未同步天数", "Days without a sync"),
        "none_stale": ("所有电脑都在期限内同步过", "Every PC has synced within that time"),
        "stale_intro": ("以下电脑超过期限未同步：", "These PCs have not synced within that time:"),
        "kind": ("类型", "Kind"),
        "all": ("全部", "All"),
        "from": ("起始日期", "From"),
        "to": ("截止日期", "To"),
        "search": ("标题搜索", "Search titles"),
        "filter": ("筛选", "Filter"),
        "date": ("日期", "Date"),
        "title": ("标题", "Title"),
        "attendance": ("参加人次", "Attendance"),
        "found": ("条活动", "activities"),
        "truncated": ("只显示最新的", "showing the newest"),
        "history": ("修改记录", "History"),
        "when": ("时间", "When"),
        "change": ("变更", "Change"),
        "outcome": ("结果", "Outcome"),
        "deleted": ("已删除", "Deleted"),
        "quantities": ("数量", "Quantities"),
        "fields": ("信息", "Details"),
        "tokens": ("令牌", "Tokens"),
        "created": ("创建时间", "Created"),
        "status": ("状态", "Status"),
        "active": ("有效", "active"),
        "revoked": ("已吊销", "revoked"),
        "revoke": ("吊销", "Revoke"),
        "new_token": ("新建令牌（批准一个乡镇接入）", "New token (enrol a township)"),
        "create": ("创建", "Create"),
        "token_once": ("令牌只显示这一次，请抄下并交给对方：", "The token is shown only this once; copy it and hand it over:"),
        "role_township": ("乡镇（推送本乡镇的记录）", "township (pushes its records)"),
        "role_county": ("县科协（查看、看板）", "county (reads, dashboard)"),
        "role_admin": ("管理员（管理令牌）", "admin (manages tokens)"),
        "enter": ("填报", "Enter"),
        "manual_value": ("实际值", "Actual value"),
        "manual_help": ("按指标单位填写数值，不写单位（92% 写 92）；同步后各处以最新填报为准", "In the indicator's unit, without the unit (92 for 92%); it syncs, the latest entry wins"),
        "deviation": ("偏差原因分析及改进措施", "Reasons for the deviation and improvements"),
        "deviation_help": ("写入自评表；清空即删除", "Shown in the self-evaluation form; empty clears it"),
        "indicator_saved": ("已保存指标", "Indicator saved"),
        "read_only": ("只读：来自本机的县科协副本", "Read-only: from this PC's county replica"),
        "no_data": ("暂无数据", "No data yet"),
        // The clerk's forms.
        "records": ("活动记录", "Records"),
        "new_activity": ("登记活动", "Record an activity"),
        "sync": ("同步", "Sync"),
        "sync_now": ("立即同步", "Sync now"),
        "syncing": ("正在同步，请稍候……", "Syncing, please wait…"),
        "this_pc": ("本机", "This PC"),
        "unsynced": ("未同步的修改", "Unsynced changes"),
        "last_sync": ("上次同步", "Last sync"),
        "never": ("从未同步", "never"),
        "no_remote": ("尚未添加同步位置：在命令行运行 ktx remote add 名称 位置", "No remote yet: run `ktx remote add NAME LOCATION` in a terminal"),
        "key": ("密钥指纹", "Key fingerprint"),
        "venue": ("地点", "Venue"),
        "notes": ("备注", "Notes"),
        "save": ("保存", "Save"),
        "edit": ("修改", "Edit"),
        "delete": ("删除", "Delete"),
        "restore": ("恢复", "Restore"),
        "add": ("追加", "Add"),
        "amount": ("数量（更正时可为负数）", "Amount (negative to correct)"),
        "add_quantity": ("追加参加人次等数量", "Add to a quantity"),
        "metric": ("项目", "Quantity"),
        "required": ("必填", "required"),
        "date_help": ("例如 2023-05-20", "e.g. 2023-05-20"),
        "project_help": ("预算项目编码，可不填", "The budget project code, if any"),
        "saved": ("已保存", "Saved"),
        "outcome_title": ("同步结果", "Sync outcome"),
        "messages": ("提示", "Messages"),
        "include_deleted": ("含已删除", "Include deleted"),
        "confirm_delete": ("确定删除这次活动吗？删除后可以恢复。", "Delete this activity? It can be restored."),
    ]

    /// A page's names for the fields of its forms (标题, 地点, a quantity's name), for errors
    /// about them: a clerk is told "标题 must not be empty", never "--title".
    static func fieldNames(_ catalog: Catalog) -> FieldNames {
        FieldNames { field, language in
            if let metric = catalog.metric(named: field.key) { return metric.displayName(language) }
            return words[field.key].map { language == .zh ? $0.zh : $0.en } ?? field.key
        }
    }

    /// An error as a page shows it: in the page's language, its field by the form's name.
    static func message(_ error: KtxError, _ language: Language, _ catalog: Catalog) -> String {
        error.message(language, fields: fieldNames(catalog))
    }

    static func text(_ key: String, _ language: Language) -> String {
        guard let pair = words[key] else { return key }
        return language == .zh ? pair.zh : pair.en
    }

    /// Every word in one language, for a template's `t`.
    static func table(_ language: Language) -> [String: String] {
        words.mapValues { language == .zh ? $0.zh : $0.en }
    }

    static func role(_ role: HubRole, _ language: Language) -> String {
        switch role {
        case .township: language.pick(zh: "乡镇", en: "township")
        case .county: language.pick(zh: "县科协", en: "county")
        case .admin: language.pick(zh: "管理员", en: "admin")
        }
    }
}
