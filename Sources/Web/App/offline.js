// The offline app's pages: enrol, record, list, totals, sync. The rules are the core's
// (ktx-core.wasm through replica.js); this file shows them and words what happens.
import { loadCore } from './ktx-core.js';
import { PageReplica, ReplicaError } from './replica.js';
import { IndexedStore, StoreError } from './store.js';

const TEXT = {
  zh: {
    title: '科协活动记录', sync: '同步', enrolTitle: '登记本浏览器',
    enrolHelp: '第一次使用时请联网，输入县科协发给本乡镇的令牌。之后不联网也能记录，联网时自动同步。',
    token: '令牌', enrol: '登记', recordTitle: '记录活动', kind: '类型', date: '日期', titleField: '标题', venue: '地点',
    save: '保存', cancel: '取消修改', listTitle: '本乡镇的活动', totalsTitle: '本乡镇合计', online: '在线', offline: '离线',
    unsent: (n) => `${n} 项活动的记录尚未送达县科协`, allSent: '记录均已送达县科协', edit: '修改', add: '追加人次', del: '删除', restore: '恢复',
    activities: '活动数', year: '年度', print: '打印本表', allYears: '全部年度',
    totalsOf: (t, y) => `${t} ${y === 'all' ? '' : y + ' 年'}活动合计`, saved: (id) => `已保存（${id}），联网时会自动同步`, syncing: '正在同步…',
    synced: (p, q) => `同步完成：送出 ${p} 条，收到 ${q} 条`, enrolled: (t, r) => `已登记为“${t}”的浏览器（副本 ${r}）`,
    replica: (t, r) => `本浏览器记录“${t}”的活动（副本 ${r}）`, askAdd: '追加多少参加人次？（负数为更正）', askDelete: '确定删除这项活动？',
    notCounty: '这个令牌不是乡镇令牌：请用县科协发给本乡镇的令牌', noCore: '本服务器没有安装离线应用的核心（ktx-core.wasm）：请县科协安装后再试',
    errors: {
      'bad-date': '日期无效：请写真实存在的日子，例如 2023-04-01', 'bad-text': '标题不能为空，文字不能过长或含控制字符',
      'bad-number': '数量须为不带单位的数字（金额最多两位小数）', 'nothing-to-change': '没有要修改的内容',
      'unknown-activity': '没有这项活动', 'other-township': '这是其他乡镇的活动，只能修改本乡镇的', 'activity-deleted': '该活动已删除，请先恢复',
      'not-deleted': '该活动未删除', quota: '浏览器的存储空间已满：请先联网同步，再清理浏览器中其他网站的数据；本条未保存',
      storage: '浏览器拒绝保存数据（可能处于无痕模式或禁用了存储）：本条未保存', 'no-storage': '此浏览器不能保存数据：请换用新版 Chrome、Edge 或 Firefox',
      unauthorized: '令牌无效或已被县科协停用：请向县科协要新的令牌；未送达的记录仍保存在本浏览器', network: '连不上县科协的服务器：记录已保存在本浏览器，联网后再同步',
      'bad-signature': '服务器拒收：记录的签名不符，请告知县科协', forbidden: '这个令牌不能做此操作',
      'future-timestamp': '服务器拒收：本电脑的日期或时间比服务器快太多。请把电脑的日期和时间改正确后再同步，记录不会丢失',
      'other-activity': '服务器拒收：改动了其他乡镇的活动', 'other-replica': '服务器拒收：这个令牌属于其他乡镇',
      unavailable: '县科协的服务器暂时不可用：记录已保存在本浏览器，稍后再同步',
    },
    newToken: '新令牌（县科协重新发给本乡镇的）', useToken: '改用此令牌并同步',
    otherTownship: (t) => `这个令牌属于“${t}”，不是本浏览器登记的乡镇：请用本乡镇的令牌`,
    otherTab: '本应用已在本浏览器的另一个标签页中打开：请在那里记录（同一台电脑只能有一个标签页记录，否则记录会互相覆盖）。关闭那个标签页后刷新本页即可。',
    cleared: '若本浏览器的数据曾被清除：已同步的记录在县科协，重新登记后会自动拉回；未同步的无法找回。',
    reportTitle: '本乡镇绩效目标完成情况', through: '截至', printReport: '打印本报表',
    throughs: { 12: '全年', 3: '一季度末', 6: '二季度末', 9: '三季度末' },
    reportOf: (t, y, m) => `${t} ${y} 年绩效目标完成情况（${m === 12 ? '全年' : '截至 ' + m + ' 月底'}）`,
    reportNote: '按县科协的绩效目标表（绩效目标表中的指标值是全县的目标）计算，只含本乡镇的记录；全县的完成情况以县科协的报表为准。“待县科协填报”的指标不由活动记录计算。',
    noTargets: '本浏览器还没有绩效目标表：联网同步一次后即可离线查看。',
    badTargets: '县科协服务器提供的绩效目标表无法读取：请告知县科协（活动记录不受影响）。',
    indicatorHeaders: ['一级指标', '二级指标', '三级指标', '指标值', '本乡镇实际', '完成率', '结果'],
    projectLine: (n, c, b) => `活动 ${n} 次；费用 ${c} 万元${b ? `（项目预算 ${b} 万元）` : ''}`,
    statuses: { met: '达标', 'not-met': '未达标', pending: '待县科协填报' },
    unit: (u) => u,
    quarter: (n) => `${n}季度`,
  },
  en: {
    title: 'Outreach records', sync: 'Sync', enrolTitle: 'Enrol this browser',
    enrolHelp: 'The first time, be online and enter the token the county gave your township. After that, record with no network; it syncs when online.',
    token: 'Token', enrol: 'Enrol', recordTitle: 'Record an activity', kind: 'Kind', date: 'Date', titleField: 'Title', venue: 'Venue',
    save: 'Save', cancel: 'Cancel the edit', listTitle: 'This township\'s activities', totalsTitle: 'This township\'s totals', online: 'online', offline: 'offline',
    unsent: (n) => `records of ${n} activities have not reached the county`, allSent: 'every record has reached the county', edit: 'Edit', add: 'Add attendance', del: 'Delete', restore: 'Restore',
    activities: 'Activities', year: 'Year', print: 'Print this table', allYears: 'all years',
    totalsOf: (t, y) => `${t}: activities ${y === 'all' ? '(all years)' : 'of ' + y}`, saved: (id) => `saved (${id}); it syncs when online`, syncing: 'syncing…',
    synced: (p, q) => `synced: sent ${p}, received ${q}`, enrolled: (t, r) => `enrolled as a browser of ${t} (replica ${r})`,
    replica: (t, r) => `this browser records ${t}'s activities (replica ${r})`, askAdd: 'How many more attending? (negative to correct)', askDelete: 'Delete this activity?',
    notCounty: 'this is not a township token: use the token the county gave your township', noCore: 'this server has no offline app core (ktx-core.wasm): ask the county to install it',
    errors: {
      'bad-date': 'invalid date: write a real day, e.g. 2023-04-01', 'bad-text': 'the title must not be empty, too long or hold control characters',
      'bad-number': 'a quantity is a number without its unit (money: at most 2 decimals)', 'nothing-to-change': 'nothing to change',
      'unknown-activity': 'no such activity', 'other-township': 'another township\'s activity: change only your own', 'activity-deleted': 'the activity is deleted: restore it first',
      'not-deleted': 'the activity is not deleted', quota: 'the browser\'s storage is full: sync first, then clear other sites\' data; this entry was not saved',
      storage: 'the browser refused to keep data (private mode, or storage disabled): this entry was not saved', 'no-storage': 'this browser cannot keep data: use a recent Chrome, Edge or Firefox',
      unauthorized: 'the token is invalid or the county revoked it: ask the county for a new one; records not sent stay in this browser', network: 'cannot reach the county\'s server: records are kept in this browser; sync when online',
      'bad-signature': 'refused by the server: a record\'s signature does not match; tell the county', forbidden: 'this token may not do that',
      'future-timestamp': 'refused by the server: this PC\'s date or time is far ahead of the server\'s. Set the date and time right and sync again; nothing is lost',
      'other-activity': 'refused by the server: it changes another township\'s activity', 'other-replica': 'refused by the server: this token belongs to another township',
      unavailable: 'the county\'s server is unavailable for now: records are kept in this browser; sync later',
    },
    newToken: 'New token (the county gave your township again)', useToken: 'Use this token and sync',
    otherTownship: (t) => `this token is ${t}'s, not the township this browser records for: use your township's token`,
    otherTab: 'The app is open in another tab of this browser: record there (one tab records at a time, or entries would overwrite each other). Close that tab and reload this one.',
    cleared: 'If this browser\'s data was cleared: what was synced is at the county and comes back once you enrol again; what was not synced is lost.',
    reportTitle: 'This township against the performance targets', through: 'Through', printReport: 'Print this report',
    throughs: { 12: 'the whole year', 3: 'end of Q1', 6: 'end of Q2', 9: 'end of Q3' },
    reportOf: (t, y, m) => `${t}: performance targets of ${y} (${m === 12 ? 'whole year' : 'through the end of month ' + m})`,
    reportNote: 'Computed by the county\'s performance tables (their targets are the whole county\'s) over this township\'s records only; the county\'s report is the one that counts. Indicators marked "entered by the county" are not computed from records.',
    noTargets: 'This browser has no performance tables yet: sync once while online, then they work offline.',
    badTargets: 'The performance tables the county\'s server gave cannot be read: tell the county (the records are not affected).',
    indicatorHeaders: ['Level 1', 'Level 2', 'Indicator', 'Target', 'This township', 'Completion', 'Result'],
    projectLine: (n, c, b) => `activities: ${n}; spent ${c} (10k yuan)${b ? `, of a budget of ${b}` : ''}`,
    statuses: { met: 'met', 'not-met': 'not met', pending: 'entered by the county' },
    unit: (u) => ({ 人次: ' person-times', 人: ' people', 个: '', 家: ' enterprises', 台: ' units', 次: ' times', 所: ' schools', 元: ' yuan', 万元: ' 10k yuan' })[u] ?? u,
    quarter: (n) => `Q${n}`,
  },
};

let lang = localStorage.getItem('ktx-lang') === 'en' ? 'en' : 'zh';
const t = () => TEXT[lang];
const $ = (id) => document.getElementById(id);
let page = null;
let catalog = null;
let core = null;
let store = null;
let syncing = false;

function say(text, error = false) {
  $('notice').textContent = text;
  $('notice').className = error ? 'error' : '';
}

function words(error) {
  const code = error instanceof ReplicaError || error instanceof StoreError ? error.code : error instanceof TypeError ? 'network' : null;
  return t().errors[code] ?? (code ? `${code}` : String(error?.message ?? error));
}

function kindName(code) {
  const kind = catalog.kinds.find((k) => k.code === code);
  return kind ? (lang === 'zh' ? kind.name : kind.english) : code ?? '';
}

function metricName(m) { return lang === 'zh' ? m.name : m.english; }

function amountText(m, value) {
  return m.scale === 100 ? (value / 100).toFixed(2) : String(value);
}

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('lang').textContent = lang === 'zh' ? 'English' : '中文';
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t()[el.dataset.t];
  if (catalog) buildForm();
  render();
}

function buildForm() {
  $('kind').replaceChildren(...catalog.kinds.map((k) => new Option(kindName(k.code), k.code)));
  $('quantities').replaceChildren(...catalog.metrics.map((m) => {
    const label = document.createElement('label');
    const input = Object.assign(document.createElement('input'), { id: `q-${m.code}`, inputMode: 'decimal' });
    label.append(lang === 'zh' ? `${m.name}（${m.unit}）` : m.english, input);
    return label;
  }));
}

function render() {
  updateBadges();
  if (!page) return;
  const { replica, township } = page.identity;
  $('identity').textContent = t().replica(township, replica.slice(0, 12));
  const activities = page.activities().sort((a, b) => (b.fields.date ?? '').localeCompare(a.fields.date ?? '') || a.id.localeCompare(b.id));
  const used = catalog.metrics.filter((m) => activities.some((a) => a.quantities[m.code]));
  const head = [t().date, t().kind, t().titleField, t().venue, ...used.map(metricName), ''];
  $('list').tHead.replaceChildren(row(head, 'th'));
  $('list').tBodies[0].replaceChildren(...activities.map((a) => {
    const tr = row([a.fields.date, kindName(a.fields.kind), a.fields.title, a.fields.venue ?? '',
                    ...used.map((m) => amountText(m, a.quantities[m.code] ?? 0))], 'td', 3);
    tr.dataset.id = a.id;
    if (a.deleted) tr.className = 'deleted';
    const actions = document.createElement('td');
    actions.className = 'actions';
    const mine = a.fields.township === township;
    if (mine && !a.deleted) {
      actions.append(button(t().edit, () => startEdit(a)), button(t().add, () => addAttendance(a)), button(t().del, () => remove(a)));
    } else if (mine) {
      actions.append(button(t().restore, () => act(() => page.restore(a.id))));
    }
    tr.append(actions);
    return tr;
  }));
  const years = [...new Set(activities.map((a) => (a.fields.date ?? '').slice(0, 4)).filter((y) => /^\d{4}$/.test(y)))].sort().reverse();
  const chosen = $('year').value || years[0] || 'all';
  $('year').replaceChildren(...years.map((y) => new Option(y, y)), new Option(t().allYears, 'all'));
  $('year').value = years.includes(chosen) || chosen === 'all' ? chosen : 'all';
  $('totals').caption?.remove();
  $('totals').createCaption().textContent = t().totalsOf(township, $('year').value);
  const totals = page.totals($('year').value === 'all' ? undefined : Number($('year').value));
  const sums = catalog.metrics.filter((m) => totals.some((x) => x.quantities[m.code]));
  $('totals').tHead.replaceChildren(row([t().kind, t().activities, ...sums.map(metricName)], 'th'));
  $('totals').tBodies[0].replaceChildren(...totals.map((x) => row([kindName(x.kind), String(x.activities),
    ...sums.map((m) => amountText(m, x.quantities[m.code] ?? 0))], 'td', 1)));
  renderReport(township);
}

/** An indicator's figure in its unit, as the county's tables write it. */
function figure(value, unit) {
  if (value === null || value === undefined) return '—';
  const n = Number(value);
  if (unit === '%') return `${n.toFixed(1)}%`;
  if (unit === '万元') return n.toFixed(2) + t().unit(unit);
  if (unit === '季度') return t().quarter(n);
  const shown = Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(2);
  return shown + t().unit(unit);
}

function renderReport(township) {
  const years = page.reportYears();
  const chosen = Number($('report-year').value) || years[0];
  $('report-year').replaceChildren(...years.map((y) => new Option(String(y), String(y))));
  if (years.includes(chosen)) $('report-year').value = String(chosen);
  const through = Number($('report-through').value) || 12;
  $('report-through').replaceChildren(...[12, 3, 6, 9].map((m) => new Option(t().throughs[m], String(m))));
  $('report-through').value = String(through);
  let report = null;
  try {
    report = years.length ? page.report(Number($('report-year').value), through) : null;
  } catch {
    // Tables the core cannot read (a hub of another version): the rest of the page still works.
    report = null;
  }
  if (!report) {
    $('report-note').textContent = years.length ? t().badTargets : t().noTargets;
    $('report').replaceChildren();
    return;
  }
  $('report-title').textContent = t().reportOf(township, report.year, report.through);
  $('report-note').textContent = t().reportNote;
  $('report').replaceChildren(...report.projects.map((p) => {
    const part = Object.assign(document.createElement('section'), { className: 'report-project' });
    const title = Object.assign(document.createElement('h3'), { textContent: p.name });
    const line = Object.assign(document.createElement('p'), { className: 'small',
      textContent: t().projectLine(p.activities, Number(p.cost).toFixed(2), p.budget === null ? null : Number(p.budget).toFixed(2)) });
    const table = document.createElement('table');
    table.createTHead().append(row(t().indicatorHeaders, 'th'));
    const body = table.createTBody();
    for (const r of p.indicators) {
      // The target as the table writes it: ≥2000人次, ≤0.5万元, ≥90%.
      const written = /^\d+$/.test(r.target) ? Number(r.target).toLocaleString('en-US') : r.target;
      const target = r.comparator + (r.unit === '季度' ? t().quarter(r.target) : written + t().unit(r.unit));
      const tr = row([r.level1, r.level2, r.name, target, r.status === 'pending' ? '—' : figure(r.actual, r.unit),
                      r.rate === null ? '—' : `${Number(r.rate).toFixed(1)}%`, t().statuses[r.status] ?? r.status], 'td', 3);
      tr.lastChild.className = r.status;
      body.append(tr);
    }
    part.append(title, line, table);
    return part;
  }));
}

function printPart(which) {
  document.body.classList.add(which);
  window.print();
  document.body.classList.remove(which);
}

function row(cells, tag, numbersFrom = Infinity) {
  const tr = document.createElement('tr');
  cells.forEach((text, i) => {
    const cell = document.createElement(tag);
    cell.textContent = text ?? '';
    if (tag === 'td' && i >= numbersFrom) cell.className = 'n';
    tr.append(cell);
  });
  return tr;
}

function button(text, onClick) {
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
  b.addEventListener('click', onClick);
  return b;
}

function updateBadges() {
  const online = navigator.onLine;
  $('network').textContent = online ? t().online : t().offline;
  $('network').className = online ? 'badge' : 'badge offline';
  $('unsent').hidden = !page;
  if (!page) return;
  const { operations, activities } = page.unsentCounts();
  $('unsent').textContent = operations > 0 ? t().unsent(activities) : t().allSent;
  $('unsent').dataset.count = String(operations);
}

async function act(body, done) {
  try {
    const result = await body();
    render();
    if (done) say(done(result));
    return result;
  } catch (error) {
    say(words(error), true);
    return null;
  }
}

function startEdit(a) {
  $('editing').value = a.id;
  $('kind').value = a.fields.kind;
  $('date').value = a.fields.date ?? '';
  $('title-field').value = a.fields.title ?? '';
  $('venue').value = a.fields.venue ?? '';
  $('quantities').hidden = true;
  $('cancel').hidden = false;
}

function stopEdit() {
  $('record-form').reset();
  $('editing').value = '';
  $('quantities').hidden = false;
  $('cancel').hidden = true;
}

async function addAttendance(a) {
  const amount = prompt(t().askAdd);
  if (amount === null) return;
  await act(() => page.change(a.id, { add: { attendance: amount } }), () => t().saved(a.id));
  autoSync();
}

async function remove(a) {
  if (!confirm(t().askDelete)) return;
  await act(() => page.delete(a.id), () => t().saved(a.id));
  autoSync();
}

async function save(event) {
  event.preventDefault();
  const editing = $('editing').value;
  const fields = { kind: $('kind').value, date: $('date').value, title: $('title-field').value, venue: $('venue').value };
  let id;
  if (editing) {
    id = await act(() => page.change(editing, { fields }), (x) => t().saved(x));
  } else {
    const quantities = {};
    for (const m of catalog.metrics) quantities[m.code] = $(`q-${m.code}`).value;
    id = await act(() => page.record({ ...fields, quantities }), (x) => t().saved(x));
  }
  if (id) { stopEdit(); autoSync(); }
}

async function sync() {
  if (!page || syncing) return;
  syncing = true;
  $('sync').disabled = true;
  say(t().syncing);
  try {
    const { pushed, pulled } = await page.sync(fetch, ({ pushed, pulled }) => say(`${t().syncing} ${pushed ?? 0} / ${pulled ?? 0}`));
    say(t().synced(pushed, pulled));
  } catch (error) {
    say(words(error), true);
    // A revoked token: the records stay here, and a new token of the township lets them go.
    if (error instanceof ReplicaError && error.code === 'unauthorized') $('retoken').hidden = false;
  } finally {
    syncing = false;
    $('sync').disabled = false;
    render();
  }
}

function autoSync() { if (navigator.onLine) sync(); }

async function enrol(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  try {
    const answer = await fetch('/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    if (answer.status === 401) throw new ReplicaError('unauthorized');
    const me = await answer.json();
    if (me.role !== 'township' || !me.township) { say(t().notCounty, true); return; }
    await navigator.storage?.persist?.();
    const metrics = catalog.metrics.map((m) => ({ code: m.code, scale: m.scale }));
    page = await PageReplica.create(core, store, { township: me.township, hub: location.origin, token, metrics });
    $('token').value = '';
    show();
    say(t().enrolled(me.township, page.identity.replica.slice(0, 12)));
    await sync();
  } catch (error) {
    say(words(error), true);
  }
}

async function retoken(event) {
  event.preventDefault();
  const token = $('new-token').value.trim();
  try {
    const answer = await fetch('/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    if (answer.status === 401) throw new ReplicaError('unauthorized');
    const me = await answer.json();
    if (me.role !== 'township' || me.township !== page.identity.township) {
      say(me.township ? t().otherTownship(me.township) : t().notCounty, true);
      return;
    }
    await page.useToken(token);
    $('new-token').value = '';
    $('retoken').hidden = true;
    await sync();
  } catch (error) {
    say(words(error), true);
  }
}

function show() {
  $('enrol').hidden = !!page;
  $('work').hidden = !page;
  $('sync').hidden = !page;
  render();
}

/** Takes the page's lock on the replica for as long as the page lives; false if another tab has it. */
function holdTheReplica() {
  return new Promise((resolve) => {
    navigator.locks.request('ktx-replica', { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock ? new Promise(() => {}) : undefined;
    });
  });
}

function applyLanguageTexts() {
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t()[el.dataset.t];
}

async function start() {
  $('lang').addEventListener('click', () => { lang = lang === 'zh' ? 'en' : 'zh'; localStorage.setItem('ktx-lang', lang); applyLanguage(); });
  window.addEventListener('online', () => { updateBadges(); autoSync(); });
  window.addEventListener('offline', updateBadges);
  $('enrol-form').addEventListener('submit', enrol);
  $('retoken-form').addEventListener('submit', retoken);
  $('record-form').addEventListener('submit', save);
  $('cancel').addEventListener('click', stopEdit);
  $('sync').addEventListener('click', sync);
  $('year').addEventListener('change', render);
  $('print').addEventListener('click', () => printPart('printing-totals'));
  $('print-report').addEventListener('click', () => printPart('printing-report'));
  $('report-year').addEventListener('change', render);
  $('report-through').addEventListener('change', render);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {});
  // One tab writes the replica: two would give the same seqs to different entries.
  if (navigator.locks && !(await holdTheReplica())) {
    applyLanguageTexts();
    say(t().otherTab, true);
    return;
  }
  try {
    catalog = await (await fetch('/app/catalog.json')).json();
    const wasm = await fetch('/app/ktx-core.wasm');
    if (!wasm.ok) { say(t().noCore, true); return; }
    core = await loadCore(await wasm.arrayBuffer());
    store = await IndexedStore.open();
    page = await PageReplica.open(core, store);
  } catch (error) {
    say(words(error), true);
    return;
  }
  applyLanguage();
  show();
  autoSync();
  setInterval(autoSync, 60_000);
}

start();
