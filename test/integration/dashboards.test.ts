import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/temporal/dev-server';
import { FakeCustomerIo, type RecordedRequest } from '../support/fake-customerio';
import { httpClient } from '../support/http';
import { exitWithin, ROOT, runNode, type Running } from '../support/processes';
import { type Sample, scrape, total } from '../support/prometheus';
import { eventually, temporalAddress } from '../support/temporal';
import { parseYaml } from '../support/yaml';

/**
 * deploy/prometheus (scrape config and alert rules) and deploy/grafana (the dashboard) checked the two ways they can
 * break unseen: PromQL that Prometheus cannot parse (promtool, built by scripts/promtool, says), and metric or label
 * names the service does not export (a rename in src/observability leaves a panel empty and an alert silent, never an
 * error). For the second, `npm run api` and `npm run worker` run as compose runs them, make real deliveries
 * (delivered, retried after a 429 with Retry-After and after a 500, failed, parked and woken), and are scraped.
 */

const ALERTS = resolve(ROOT, 'deploy/prometheus/alerts.yml');
const PROMETHEUS_CONFIG = resolve(ROOT, 'deploy/prometheus/prometheus.yml');
const DASHBOARD = resolve(ROOT, 'deploy/grafana/dashboards/signal-customerio.json');

interface Query {
  where: string;
  expr: string;
}
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  title?: string;
  type: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; query: string | { query: string } }[] };
}

function rules(): Rule[] {
  const file = parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: { rules: Rule[] }[] };
  return file.groups.flatMap((g) => g.rules);
}

function dashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
}

function panelQueries(): Query[] {
  const walk = (panels: Panel[]): Query[] =>
    panels.flatMap((p) => [
      ...(p.targets ?? []).flatMap((t, i) => (t.expr ? [{ where: `panel "${p.title}" #${i + 1}`, expr: t.expr }] : [])),
      ...walk(p.panels ?? []),
    ]);
  return walk(dashboard().panels);
}

function ruleQueries(): Query[] {
  return rules().map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr }));
}

/** The metrics the dashboard's variables list label values of: `label_values(metric, label)`. */
function variableMetrics(): { where: string; metric: string; label: string }[] {
  return dashboard().templating.list.flatMap((v) => {
    const query = typeof v.query === 'string' ? v.query : v.query.query;
    const m = /^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(query);
    if (!m) throw new Error(`variable ${v.name}: not a label_values(metric, label) query: ${query}`);
    return [{ where: `variable ${v.name}`, metric: m[1]!, label: m[2]! }];
  });
}

/** A panel query as Prometheus receives it once Grafana has put in its variables. */
function asSent(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$integration', '.*');
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a query selects. promtool has already parsed the query, so a light scan suffices: with strings,
 * label matchers, ranges and grouping label lists removed, every identifier left is a function (followed by `(`), a
 * keyword, a number's part (`1h`, `1e3`) or a metric name.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const before = bare[m.index - 1] ?? ' ';
    if (/[0-9.]/.test(before)) continue;
    if (
      bare
        .slice(m.index + m[0].length)
        .trimStart()
        .startsWith('(')
    )
      continue;
    if (KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Each selector's label matchers with a literal value: `name{label="value"}` and `name{label=~"a|b"}`. */
function labelMatchers(expr: string): { metric: string; label: string; op: string; value: string }[] {
  const out: { metric: string; label: string; op: string; value: string }[] = [];
  for (const sel of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)) {
    for (const m of sel[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
      out.push({ metric: sel[1]!, label: m[1]!, op: m[2]!, value: m[3]! });
    }
  }
  return out;
}

/** The labels a query groups by (`sum by (integration_id) (…)`): each must be on one of the metrics it names. */
function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

let promtoolPath: string | undefined;
function promtool(args: string[]): { status: number; out: string } {
  promtoolPath ??= execFileSync('bash', ['scripts/promtool'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  try {
    const out = execFileSync(promtoolPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, out };
  } catch (err) {
    const e = err as { status: number | null; stdout: string; stderr: string };
    return { status: e.status ?? -1, out: `${e.stdout}${e.stderr}` };
  }
}

describe('dashboards and alert rules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'signal-dashboards-'));
    // Builds promtool on a machine that has none yet (CI builds it before the tests, in .ci/run).
    promtool(['--version']);
  }, 20 * 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('promtool accepts prometheus.yml and the alert rules it loads', () => {
    const config = promtool(['check', 'config', PROMETHEUS_CONFIG]);
    expect(config).toMatchObject({ status: 0 });
    expect(config.out).toMatch(/SUCCESS: 5 rules found/);
    const checked = promtool(['check', 'rules', '--lint=all', '--lint-fatal', ALERTS]);
    expect(checked).toMatchObject({ status: 0 });
  });

  test('every alert says what is wrong and what to do, how bad it is, and waits before firing', () => {
    const alerts = rules().filter((r) => r.alert);
    expect(alerts.map((r) => r.alert).sort()).toEqual([
      'SignalCircuitOpen',
      'SignalDeliveriesParkedOverAnHour',
      'SignalDeliveryBacklogGrowing',
      'SignalDeliveryFailuresHigh',
      'SignalNoDeliveriesWhileAccepting',
    ]);
    for (const alert of alerts) {
      expect(alert.annotations?.summary?.length).toBeGreaterThan(20);
      expect(alert.annotations?.description?.length).toBeGreaterThan(100);
      expect(['warning', 'critical']).toContain(alert.labels?.severity);
      expect(alert.for).toMatch(/^\d+[mh]$/);
    }
  });

  test('each alert fires on what it names and stays quiet beside it (promtool test rules)', () => {
    // The rules without their annotations (promtool would compare the rendered texts), and scenarios of one
    // integration that should alert beside one that should not. Series values: start+step x steps, one a minute.
    const stripped = join(dir, 'alerts.json');
    const groups = (parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups;
    writeFileSync(
      stripped,
      JSON.stringify({
        groups: groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...rule }) => rule) })),
      }),
    );
    const finished = (integration: string, status: string, values: string) => ({
      series: `signal_deliveries_finished_total{integration_id="${integration}",event_type="track",status="${status}",instance="worker-1"}`,
      values,
    });
    const started = (integration: string, values: string) => ({
      series: `signal_deliveries_started_total{integration_id="${integration}",event_type="track",source="intake",instance="api"}`,
      values,
    });
    const fires = (alertname: string, evalTime: string, integrations: (string | undefined)[], severity: string) => ({
      eval_time: evalTime,
      alertname,
      exp_alerts: integrations.map((id) => ({ exp_labels: { severity, ...(id ? { integration_id: id } : {}) } })),
    });
    const tests = [
      {
        name: 'failures above 5 % of at least 20 finished deliveries',
        interval: '1m',
        input_series: [
          // bad: 1 failed in 11; fine: none failed; quiet: only failures, but 15 in 15 minutes.
          finished('bad', 'delivered', '0+10x60'),
          finished('bad', 'failed', '0+1x60'),
          finished('fine', 'delivered', '0+10x60'),
          finished('fine', 'failed', '0x60'),
          finished('quiet', 'failed', '0+1x60'),
        ],
        alert_rule_test: [
          fires('SignalDeliveryFailuresHigh', '5m', [], 'warning'),
          fires('SignalDeliveryFailuresHigh', '30m', ['bad'], 'warning'),
        ],
      },
      {
        name: 'parked for an hour without a break',
        interval: '1m',
        input_series: [
          { series: 'signal_deliveries_parked_total{integration_id="stuck",instance="worker-1"}', values: '1x120' },
          { series: 'signal_deliveries_parked_total{integration_id="fixed",instance="worker-1"}', values: '1x120' },
          {
            series:
              'signal_deliveries_unparked_total{integration_id="fixed",reason="new_credentials",instance="worker-1"}',
            values: '0x30 1x90',
          },
        ],
        alert_rule_test: [
          fires('SignalDeliveriesParkedOverAnHour', '50m', [], 'warning'),
          fires('SignalDeliveriesParkedOverAnHour', '70m', ['stuck'], 'warning'),
        ],
      },
      {
        name: 'a backlog that keeps growing',
        interval: '1m',
        input_series: [started('a', '0+10x90'), finished('a', 'delivered', '0+5x90')],
        alert_rule_test: [
          fires('SignalDeliveryBacklogGrowing', '25m', [], 'warning'),
          fires('SignalDeliveryBacklogGrowing', '60m', [undefined], 'warning'),
        ],
      },
      {
        name: 'a backlog that keeps pace',
        interval: '1m',
        input_series: [started('a', '0+10x90'), finished('a', 'delivered', '0+10x90')],
        alert_rule_test: [fires('SignalDeliveryBacklogGrowing', '60m', [], 'warning')],
      },
      {
        name: 'events accepted, none delivered',
        interval: '1m',
        input_series: [
          started('stalled', '0+1x60'),
          finished('stalled', 'delivered', '5x60'),
          started('flowing', '0+1x60'),
          finished('flowing', 'delivered', '0+1x60'),
        ],
        alert_rule_test: [
          fires('SignalNoDeliveriesWhileAccepting', '10m', [], 'critical'),
          fires('SignalNoDeliveriesWhileAccepting', '45m', ['stalled'], 'critical'),
        ],
      },
      {
        name: 'a circuit open for 10 minutes',
        interval: '1m',
        input_series: [
          { series: 'signal_customerio_circuit_open{integration_id="down",instance="worker-1"}', values: '1x30' },
          { series: 'signal_customerio_circuit_open{integration_id="down",instance="worker-2"}', values: '0x30' },
          { series: 'signal_customerio_circuit_open{integration_id="blip",instance="worker-1"}', values: '1x5 0x25' },
        ],
        alert_rule_test: [
          fires('SignalCircuitOpen', '8m', [], 'critical'),
          fires('SignalCircuitOpen', '15m', ['down'], 'critical'),
        ],
      },
    ];
    const file = join(dir, 'alerts.test.json');
    writeFileSync(file, JSON.stringify({ rule_files: [stripped], evaluation_interval: '1m', tests }));
    const result = promtool(['test', 'rules', file]);
    expect(result.out).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  test('promtool parses every panel query, as Prometheus receives it from Grafana', () => {
    const queries = panelQueries();
    expect(queries.length).toBeGreaterThanOrEqual(15);
    // Each query as a recording rule of a throwaway rule file (JSON is YAML): promtool parses its expression.
    const file = join(dir, 'panels.rules.json');
    const asRules = (qs: Query[]) => ({
      groups: [{ name: 'panels', rules: qs.map((q, i) => ({ record: `dashboard:query_${i}`, expr: asSent(q.expr) })) }],
    });
    writeFileSync(file, JSON.stringify(asRules(queries)));
    const checked = promtool(['check', 'rules', file]);
    expect(checked.out).toMatch(new RegExp(`SUCCESS: ${queries.length} rules found`));
    expect(checked.status).toBe(0);

    // The same check refuses what Prometheus would: one unbalanced parenthesis.
    writeFileSync(file, JSON.stringify(asRules([{ where: 'broken', expr: 'sum(rate(signal_x_total[5m])' }])));
    const broken = promtool(['check', 'rules', file]);
    expect(broken.status).not.toBe(0);
    expect(broken.out).toMatch(/parse error/i);
  });

  test('the scan finds the metric names of a query, and only those', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, integration_id) (rate(a_seconds_bucket{status=~"x|y", b="c"}[5m] offset 1h)))' +
          ' / on (integration_id) group_left (le) (b_total or vector(0)) > 1e3 and bool c_gauge',
      ).sort(),
    ).toEqual(['a_seconds_bucket', 'b_total', 'c_gauge']);
  });

  test('every metric and label the rules, panels and variables use is one the running service exports', async () => {
    const exported = await runServiceAndScrape(dir);
    const byName = new Map<string, Sample[]>();
    for (const s of exported) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);

    const missing: string[] = [];
    for (const q of [...ruleQueries(), ...panelQueries()]) {
      const names = metricNames(q.expr);
      if (names.length === 0) missing.push(`${q.where}: names no metric`);
      for (const name of names) if (!byName.has(name)) missing.push(`${q.where}: ${name}`);
      // A label renamed (or a value no longer used) matches nothing, as silently as a renamed metric.
      for (const m of labelMatchers(q.expr)) {
        const samples = byName.get(m.metric) ?? [];
        if (m.value.includes('$')) {
          if (!samples.some((s) => m.label in s.labels)) missing.push(`${q.where}: ${m.metric}{${m.label}}`);
          continue;
        }
        const re = new RegExp(`^(?:${m.value})$`);
        const matches = (v: string | undefined) =>
          m.op === '=' ? v === m.value : m.op === '=~' ? re.test(v ?? '') : true;
        if (!samples.some((s) => matches(s.labels[m.label])))
          missing.push(`${q.where}: ${m.metric}{${m.label}${m.op}"${m.value}"}`);
      }
      for (const label of groupingLabels(q.expr).filter((l) => l !== 'le')) {
        if (!names.some((name) => (byName.get(name) ?? []).some((s) => label in s.labels)))
          missing.push(`${q.where}: label ${label} on none of ${names.join(', ')}`);
      }
    }
    for (const v of variableMetrics()) {
      if (!(byName.get(v.metric) ?? []).some((s) => v.label in s.labels))
        missing.push(`${v.where}: ${v.metric}{${v.label}}`);
    }
    expect(missing).toEqual([]);
  });
});

const forUser = (userId: string) => (r: RecordedRequest) =>
  r.path === `/api/v1/customers/${userId}` || r.path.startsWith(`/api/v1/customers/${userId}/`);

/**
 * `npm run api` and `npm run worker` as compose runs them (the worker with METRICS_PORT and TEMPORAL_METRICS_PORT),
 * after deliveries down every path a panel or rule reads: delivered at once, a 429 with Retry-After then delivered,
 * a 500 then delivered, failed (a page without a URL), and a 401 that parks a delivery until the integration gets
 * new credentials. Returns
 * the samples of all three endpoints Prometheus scrapes.
 */
async function runServiceAndScrape(dir: string): Promise<Sample[]> {
  const us = await FakeCustomerIo.start({ region: 'us', credentials: [{ siteId: 'db-us', apiKey: 'db-us-key' }] });
  const euKey = { siteId: 'db-eu', apiKey: 'db-eu-key' };
  const euNewKey = { siteId: 'db-eu', apiKey: 'db-eu-rotated' };
  const eu = await FakeCustomerIo.start({ region: 'eu', credentials: [euKey] });
  const [apiPort, workerMetricsPort, temporalMetricsPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    TEMPORAL_ADDRESS: temporalAddress(),
    TEMPORAL_TASK_QUEUE: `dashboards-${randomUUID()}`,
    DATABASE_URL: `sqlite:${join(dir, 'signal.db')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SIGNAL_ADMIN_TOKEN: `db-admin-${randomBytes(8).toString('hex')}`,
    SIGNAL_PIPELINE_KEY: `db-pipeline-${randomBytes(8).toString('hex')}`,
    CUSTOMERIO_TRACK_URL_US: us.url,
    CUSTOMERIO_TRACK_URL_EU: eu.url,
    PORT: String(apiPort),
    LOG_LEVEL: 'info',
  };
  const worker = runNode('worker/main', {
    ...env,
    METRICS_PORT: String(workerMetricsPort),
    TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
  });
  const api = runNode('api/main', env);
  const running: Running[] = [worker, api];
  try {
    await worker.waitFor(/delivery worker running/);
    await api.waitFor(/Server listening/);
    const call = httpClient(() => `http://127.0.0.1:${apiPort}`);
    const admin = (method: string, path: string, body?: unknown) =>
      call(method, path, { token: env.SIGNAL_ADMIN_TOKEN, ...(body !== undefined ? { body } : {}) });
    const intake = async (body: unknown) => {
      const res = await call('POST', '/v1/events', { token: env.SIGNAL_PIPELINE_KEY, body });
      expect(res.status).toBe(202);
    };
    const install = async (name: string, region: 'us' | 'eu', key: { siteId: string; apiKey: string }) => {
      const res = await admin('POST', '/v1/admin/integration-catalog/customer_io/install', {
        name,
        variant: 'default',
        config: { site_id: key.siteId, api_key: `${key.apiKey}-app`, tracking_api_key: key.apiKey, region },
        delivery_mode: 'server_side',
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    await install('Dashboards US', 'us', { siteId: 'db-us', apiKey: 'db-us-key' });
    const euId = await install('Dashboards EU', 'eu', euKey);
    const run = randomUUID().slice(0, 8);

    // Every event goes to both integrations. Parked: the EU account refuses the stored key once.
    eu.respondWith({ status: 401, body: { meta: { error: 'unauthorized' } } });
    await intake({ type: 'screen', name: 'Home', userId: `db-parked-${run}` });
    await eu.waitForRequests(1, { match: forUser(`db-parked-${run}`) });
    // A 429 asking to wait, then delivered.
    us.respondWith({ status: 429, headers: { 'retry-after': '1' }, body: {} });
    await intake({ type: 'track', event: 'Bought', userId: `db-waited-${run}` });
    await us.waitForRequests(1, { match: forUser(`db-waited-${run}`) });
    // A 500, then delivered: the failure gives the integration a circuit (closed again after the retry's answer).
    us.respondWith({ status: 500, body: {} });
    await intake({ type: 'track', event: 'Viewed', userId: `db-retried-${run}` });
    await us.waitForRequests(1, { match: forUser(`db-retried-${run}`) });
    // Delivered at once; and failed without an attempt (Customer.io cannot name a page without a URL).
    await intake({ type: 'identify', userId: `db-delivered-${run}`, traits: { plan: 'pro' } });
    await intake({ type: 'page', userId: `db-failed-${run}` });

    const workerUrl = `http://127.0.0.1:${workerMetricsPort}/metrics`;
    await eventually(
      async () => (total(await scrape(workerUrl), 'signal_deliveries_parked_total') === 1 ? true : undefined),
      'the EU delivery to park',
      30_000,
    );
    eu.acceptCredentials(euKey, euNewKey);
    const patched = await admin('PATCH', `/v1/admin/integrations/${euId}`, {
      config: { tracking_api_key: euNewKey.apiKey },
    });
    expect(patched.status).toBe(200);
    const workerMetrics = await eventually(
      async () => {
        const samples = await scrape(workerUrl);
        return total(samples, 'signal_deliveries_finished_total') >= 10 ? samples : undefined;
      },
      'all 10 deliveries to finish',
      60_000,
    );
    return [
      ...workerMetrics,
      ...(await scrape(`http://127.0.0.1:${apiPort}/metrics`)),
      ...(await scrape(`http://127.0.0.1:${temporalMetricsPort}/metrics`)),
    ];
  } finally {
    for (const r of running) r.child.kill('SIGTERM');
    for (const r of running) await exitWithin(r, 30_000);
    await us.close();
    await eu.close();
  }
}
