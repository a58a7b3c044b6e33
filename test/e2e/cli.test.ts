import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { parseFlags, parseTimeFlag, UsageError } from '../../src/cli/args';
import { REPLAY_FLAGS } from '../../src/cli/commands/replay';
import { Output, printable, table } from '../../src/cli/output';
import { startValidatedDelivery } from '../../src/client/start-delivery';
import type { SignalEvent } from '../../src/shared/event';
import { Progress } from '../../src/cli/progress';
import type { RecordedRequest } from '../support/fake-customerio';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';
import { eventually } from '../support/temporal';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every byte any CLI run printed, for the token scan at the end. */
const printed: string[] = [];

/** `node <dist>/cli/main.js <args>` with exactly `env` (plus PATH/HOME), as `npm run cli -- <args>` runs it. */
function cli(args: string[], env: Record<string, string>, cwd: string, timeoutMs = 60_000): Promise<CliRun> {
  const dist = process.env.TEST_DIST_DIR;
  if (!dist) throw new Error('TEST_DIST_DIR is not set: run the tests through jest (global setup compiles src/)');
  const child = spawn(process.execPath, [resolve(dist, 'cli/main.js'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`cli ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      printed.push(stdout, stderr);
      done({ code, stdout, stderr });
    });
  });
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('npm run cli', () => {
  let h: DeliveryHarness;
  let dir: string;
  let env: Record<string, string>;
  let integrationId: string;
  let delivered: string;
  const failed: string[] = [];
  const run = (...args: string[]) => cli(args, env, dir);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signal-cli-'));
    h = await startDeliveryHarness({ api: true });
    env = { SIGNAL_API_URL: h.baseUrl, SIGNAL_ADMIN_TOKEN: h.adminToken };
    integrationId = (await h.createIntegration()).id;
    const tag = randomUUID().slice(0, 8);

    // One delivery that works: the filters must leave it alone.
    const ok = await h.deliver(integrationId, {
      type: 'track',
      event: 'Fine',
      userId: `cli-ok-${tag}`,
      messageId: `cli-ok-${tag}`,
    });
    await h.client.workflow.getHandle(ok.workflowId).result();
    delivered = ok.workflowId;

    // Three that Customer.io rejects for good (400 fails at once), one of each event type that makes a request.
    h.us.respondWith(...Array.from({ length: 3 }, () => ({ status: 400, body: { meta: { errors: ['bad'] } } })));
    const events = [
      {
        type: 'track' as const,
        event: 'Order Completed',
        userId: `cli-a-${tag}`,
        messageId: `cli-a-${tag}`,
        properties: { total: 12.5 },
      },
      {
        type: 'page' as const,
        userId: `cli-b-${tag}`,
        messageId: `cli-b-${tag}`,
        context: { page: { url: 'https://shop.example/cart', title: 'Cart' } },
      },
      {
        type: 'identify' as const,
        userId: `cli-c-${tag}`,
        messageId: `cli-c-${tag}`,
        traits: { email: `c-${tag}@example.com`, plan: 'pro' },
      },
    ];
    for (const event of events) {
      const started = await h.deliver(integrationId, event);
      await expect(h.client.workflow.getHandle(started.workflowId).result()).rejects.toThrow(
        /Workflow execution failed/,
      );
      failed.push(started.workflowId);
    }
    // The cause is "fixed": the script is used up, so the fake answers 200 from now on.
    expect(h.us.requests.filter((r) => r.path !== '/api/v1/accounts/region')).toHaveLength(4);

    // Visibility is eventually consistent: wait until the API lists the three as failed.
    const call = httpClient(() => h.baseUrl);
    await eventually(async () => {
      const res = await call(
        'GET',
        `/v1/admin/deliveries?status=failed&integration_id=${encodeURIComponent(integrationId)}&limit=100`,
        { token: h.adminToken },
      );
      const ids = (res.body?.data ?? []).map((d: { workflow_id: string }) => d.workflow_id);
      return failed.every((id) => ids.includes(id)) ? ids : undefined;
    }, 'the failed deliveries to be listed as failed');
  });
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const trackRequests = () => h.us.requests.filter((r) => r.path !== '/api/v1/accounts/region');

  test('deliveries lists them as an aligned table, following next_cursor up to --limit', async () => {
    const all = await run(
      'deliveries',
      '--status',
      'failed',
      '--integration',
      integrationId,
      '--since',
      '1h',
      '--page-size',
      '2',
      '--limit',
      '10',
    );
    expect(all.code).toBe(0);
    const [header, ...rows] = lines(all.stdout);
    expect(header).toMatch(/^TIME +STATUS +HTTP +ATTEMPTS +EVENT +CUSTOMER +WORKFLOW ID$/);
    expect(rows).toHaveLength(3);
    const idColumn = header!.indexOf('WORKFLOW ID');
    expect(rows.map((r) => r.slice(idColumn)).sort()).toEqual([...failed].sort());
    for (const row of rows)
      expect(row).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +failed +400 +1 +(track Order Completed|page https:\/\/shop\.example\/cart|identify) +cli-[abc]-/,
      );
    expect(all.stdout).not.toContain(delivered);

    const two = await run(
      'deliveries',
      '--status',
      'failed',
      '--integration',
      integrationId,
      '--since',
      '1h',
      '--page-size',
      '2',
      '--limit',
      '2',
    );
    expect(two.code).toBe(0);
    expect(lines(two.stdout)).toHaveLength(3);
    expect(two.stderr).toContain('more match');
  });

  test('replay --dry-run lists the failed deliveries and starts nothing', async () => {
    const before = trackRequests().length;
    const dry = await run('replay', '--status', 'failed', '--since', '1h', '--integration', integrationId, '--dry-run');
    expect(dry.code).toBe(0);
    const out = lines(dry.stdout);
    expect(out[0]).toBe('dry run: would replay 3, skip 0 of 3 matched');
    expect(out.slice(1).sort()).toEqual(failed.map((id) => `would replay ${id}`).sort());
    expect(dry.stdout).not.toContain(delivered);
    expect(trackRequests()).toHaveLength(before);
    for (const id of failed)
      await expect(h.client.workflow.getHandle(`replay:${id}`).describe()).rejects.toBeInstanceOf(
        WorkflowNotFoundError,
      );
  });

  test('replay replays every failed delivery with the same request; a second run skips them', async () => {
    const originals = new Map<string, RecordedRequest>(trackRequests().map((r) => [`${r.method} ${r.path}`, r]));
    const before = trackRequests().length;

    const replay = await run('replay', '--status', 'failed', '--since', '1h', '--integration', integrationId);
    expect(replay.code).toBe(0);
    const [summary, ...rest] = lines(replay.stdout);
    expect(summary).toBe('replayed 3, skipped 0, failed 0 of 3 matched');
    const replays = rest.map((l) => /^(\S+) -> (\S+) (\S+)$/.exec(l)!);
    expect(replays.every(Boolean)).toBe(true);
    expect(replays.map((m) => m[1]).sort()).toEqual([...failed].sort());
    for (const m of replays) expect(m[2]).toBe(`replay:${m[1]}`);
    // Not a terminal: one progress line per delivery on stderr.
    expect(lines(replay.stderr).filter((l) => /^\[\d\/3\] replayed /.test(l))).toHaveLength(3);

    for (const m of replays)
      expect(await h.client.workflow.getHandle(m[2]!, m[3]).result()).toMatchObject({
        status: 'delivered',
        httpStatus: 200,
      });
    const fresh = trackRequests().slice(before);
    expect(fresh).toHaveLength(3);
    for (const req of fresh) {
      const original = originals.get(`${req.method} ${req.path}`);
      expect(original).toBeDefined();
      expect(req.body).toBe(original!.body);
      if (req.method === 'POST') expect((req.json as { id: string }).id).toBe((original!.json as { id: string }).id);
    }

    const again = await run('replay', '--status', 'failed', '--since', '1h', '--integration', integrationId);
    expect(again.code).toBe(0);
    expect(lines(again.stdout)).toEqual(['replayed 0, skipped 3 (already_delivered 3), failed 0 of 3 matched']);
    expect(lines(again.stderr).filter((l) => /^\[\d\/3\] skipped .* \(already_delivered\)/.test(l))).toHaveLength(3);
    expect(trackRequests()).toHaveLength(before + 3);
  });

  test('bad usage exits 2 with a message and the usage text; --help prints the usage', async () => {
    const cases: [string[], RegExp][] = [
      [['replay', '--since', '1h', '--frobnicate'], /unknown flag --frobnicate/],
      [['deliveries', '-x'], /unknown flag -x/],
      [['replay', '--since', '1h', '--since', '2h'], /--since is given more than once/],
      [['replay', '--dry-run', '--since', '1h', '--dry-run'], /--dry-run is given more than once/],
      [['replay', '--since'], /--since needs a value/],
      [['replay', '--since', '--dry-run'], /--since needs a value/],
      [['replay', '--since='], /--since needs a value/],
      [['deliveries', '--token', ''], /--token needs a value/],
      [['replay', '--since', '1h', '--dry-run=yes'], /--dry-run takes no value/],
      [['replay', '--since', '1h', 'failed'], /unexpected argument 'failed'/],
      [['replay', '--since', '1h', '--', '--dry-run'], /unexpected argument '--'/],
      [['replay', '--since', 'yesterday'], /--since must be a duration ago .*got 'yesterday'/],
      [['replay', '--status', 'failed'], /--since is required/],
      [['replay', '--since', '2h', '--limit', '0'], /--limit must be a whole number from 1 to 1000/],
      [
        ['replay', '--since', '2h', '--event-type', 'nope'],
        /--event-type must be one of page, screen, track, identify, group, alias/,
      ],
      [['deliveries', '--until', '2026-11-29T10:00'], /add Z or an offset/],
      [['resend'], /unknown command 'resend'/],
      [[], /no command given/],
    ];
    for (const [args, message] of cases) {
      const res = await run(...args);
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(res.stderr).toMatch(message);
      expect(res.stderr).toContain('Usage:');
      expect(res.stdout).toBe('');
    }
    const help = await run('replay', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('npm run cli -- replay --since <time>');
    const short = await run('deliveries', '-h');
    expect(short.code).toBe(0);
    expect(short.stdout).toContain('npm run cli -- deliveries [flags]');
  });

  test('the token comes from local-secrets.json (SIGNAL_DATA_DIR or ./data); a wrong one is 401, not printed', async () => {
    const secrets = JSON.stringify({ SIGNAL_ADMIN_TOKEN: h.adminToken });
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'local-secrets.json'), secrets, { mode: 0o600 });
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    writeFileSync(join(dir, 'elsewhere', 'local-secrets.json'), secrets, { mode: 0o600 });
    const args = ['deliveries', '--integration', integrationId, '--since', '1h'];
    for (const extra of [{}, { SIGNAL_DATA_DIR: join(dir, 'elsewhere') }] as Record<string, string>[]) {
      const res = await cli(args, { SIGNAL_API_URL: h.baseUrl, ...extra }, dir);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(failed[0]);
    }
    const none = await cli(args, { SIGNAL_API_URL: h.baseUrl, SIGNAL_DATA_DIR: join(dir, 'nowhere') }, dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no admin token');

    const wrong = 'sio_admin_wrong-token-for-the-cli-test';
    const refused = await cli([...args, '--token', wrong], { SIGNAL_API_URL: h.baseUrl }, dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 401 UNAUTHORIZED');
    expect(refused.stdout + refused.stderr).not.toContain(wrong);

    const down = await cli(['replay', '--since', '1h', '--api-url', 'http://127.0.0.1:9'], env, dir);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the API at http:\/\/127\.0\.0\.1:9/);
  });

  test('deliveries shows the control characters an event carried as escapes, never as terminal commands', async () => {
    // Intake refuses control characters in event names now; a delivery recorded before that is started here the way
    // it was then, past the event schema.
    const other = (await h.createIntegration()).id;
    const name = '\u001b[2J\u001b]0;pwned\u0007Order \u001b[31mPaid\u009b31m';
    const started = await startValidatedDelivery(
      h.client,
      other,
      { type: 'track', event: name, userId: 'rtl\u202eevil', messageId: `cli-esc-${randomUUID()}` } as SignalEvent,
      { taskQueue: h.taskQueue },
    );
    await h.client.workflow.getHandle(started.workflowId).result();
    const call = httpClient(() => h.baseUrl);
    await eventually(async () => {
      const res = await call('GET', `/v1/admin/deliveries?integration_id=${encodeURIComponent(other)}`, {
        token: h.adminToken,
      });
      return res.body?.data?.[0]?.event_name === name ? true : undefined;
    }, 'the delivery to be listed with its name');

    const listed = await run('deliveries', '--integration', other, '--since', '1h');
    expect(listed.code).toBe(0);
    expect(listed.stdout + listed.stderr).not.toMatch(
      // eslint-disable-next-line no-control-regex -- what must not reach the terminal
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
    );
    const [header, row] = lines(listed.stdout);
    expect(row).toContain('track \\x1b[2J\\x1b]0;pwned\\x07Order \\x1b[31mPaid\\x9b31m');
    expect(row).toContain('rtl\\u202eevil');
    // Escaped before the columns are measured: the table stays aligned.
    expect(row!.indexOf(started.workflowId)).toBe(header!.indexOf('WORKFLOW ID'));
  });

  test('no CLI output ever contains the admin token', () => {
    expect(printed.length).toBeGreaterThan(10);
    for (const text of printed) expect(text).not.toContain(h.adminToken);
  });
});

describe('replay against a scripted API: answers the real one rarely gives', () => {
  const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: unknown }[] = [];
  let rateLimitedOnce = false;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      });
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const error = (status: number, code: string, message: string) => send(status, { error: { code, message } });
      switch (req.url) {
        case '/v1/admin/deliveries/replay':
          return send(200, {
            dry_run: true,
            matched: 5,
            would_replay: ['w:a', 'w:b', 'w:c', 'w:d'],
            skipped: [{ workflow_id: 'w:e', reason: 'in_progress', detail: 'w:e is still running (retrying)' }],
          });
        case '/v1/admin/deliveries/w%3Aa/replay':
          return send(202, { replay_of: 'w:a', workflow_id: 'w:a:replay', run_id: 'run-a' });
        case '/v1/admin/deliveries/w%3Ab/replay':
          if (!rateLimitedOnce) {
            rateLimitedOnce = true;
            return send(
              429,
              { error: { code: 'RATE_LIMITED', message: 'Too many requests: retry in 1 s' } },
              { 'retry-after': '1' },
            );
          }
          return send(202, { replay_of: 'w:b', workflow_id: 'w:b:replay', run_id: 'run-b' });
        case '/v1/admin/deliveries/w%3Ac/replay':
          return error(
            409,
            'ALREADY_DELIVERED',
            'w:c was replayed and ended delivered: pass include_delivered to replay it anyway',
          );
        default:
          return error(404, 'NOT_FOUND', 'Delivery w:d was not found');
      }
    });
  });
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signal-cli-scripted-'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('counts replayed, skipped (up front and on 409) and failed, waits out a 429, and exits 1', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const token = 'scripted-token-0123456789';
    const res = await cli(
      [
        'replay',
        '--since',
        '2026-11-29T10:00:00+01:00',
        '--until',
        '2026-11-29T12:00:00Z',
        '--integration',
        'int_x',
        '--event-type',
        'track',
        '--include-delivered',
        '--limit',
        '7',
      ],
      { SIGNAL_API_URL: url, SIGNAL_ADMIN_TOKEN: token },
      dir,
    );
    expect(res.code).toBe(1);
    expect(lines(res.stdout)).toEqual([
      'replayed 2, skipped 2 (in_progress 1, already_delivered 1), failed 1 of 5 matched',
      'w:a -> w:a:replay run-a',
      'w:b -> w:b:replay run-b',
    ]);
    expect(res.stderr).toContain('[1/5] skipped w:e (in_progress): is still running (retrying)');
    expect(res.stderr).toContain(
      'skipped w:c (already_delivered): was replayed and ended delivered: pass --include-delivered to replay it anyway',
    );
    expect(res.stderr).toContain('failed w:d: HTTP 404 NOT_FOUND: Delivery w:d was not found');
    expect(res.stdout + res.stderr).not.toContain(token);

    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1/admin/deliveries/replay',
      body: {
        status: 'failed',
        since: '2026-11-29T09:00:00.000Z',
        until: '2026-11-29T12:00:00.000Z',
        integration_id: 'int_x',
        event_type: 'track',
        include_delivered: true,
        limit: 7,
        dry_run: true,
      },
    });
    const singles = seen.slice(1);
    expect(singles.map((r) => r.url).sort()).toEqual(
      ['a', 'b', 'b', 'c', 'd'].map((x) => `/v1/admin/deliveries/w%3A${x}/replay`),
    );
    for (const r of singles) expect(r).toMatchObject({ method: 'POST', body: { include_delivered: true } });
    for (const r of seen) expect(r.headers.authorization).toBe(`Bearer ${token}`);
  });
});

describe('cli building blocks', () => {
  /** The screen a terminal shows after `output`, for the few control sequences a line redrawn in place uses. */
  function screen(output: string): string[] {
    const rows = [''];
    let col = 0;
    // eslint-disable-next-line no-control-regex -- escape sequences are what this reads
    for (const part of output.match(/\x1b\[[\d;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]+/g) ?? []) {
      const row = rows.length - 1;
      if (part === '\n') {
        rows.push('');
        col = 0;
      } else if (part === '\r' || part === '\x1b[1G') col = 0;
      else if (part === '\x1b[0K') rows[row] = rows[row]!.slice(0, col);
      else if (part === '\x1b[2K') rows[row] = '';
      else if (part.startsWith('\x1b')) throw new Error(`no terminal model for ${JSON.stringify(part)}`);
      else {
        rows[row] = rows[row]!.slice(0, col).padEnd(col) + part + rows[row]!.slice(col + part.length);
        col += part.length;
      }
    }
    return rows;
  }

  test('the progress bar, redrawn in place on a terminal, with notes above it, written through Output', () => {
    jest.useFakeTimers();
    try {
      let written = '';
      const stderr = new Output({ isTTY: true, columns: 120, write: (s: string) => (written += s) });
      stderr.hide('sio_admin_secret');
      const progress = new Progress(stderr, 2);
      progress.start();
      expect(screen(written)).toEqual([`[${'-'.repeat(30)}] 0/2 replayed 0, skipped 0`]);
      progress.record('replayed', 'replayed a -> a:replay r1');
      jest.advanceTimersByTime(100); // cli-progress draws at most 10 frames a second
      expect(screen(written)).toEqual([`[${'#'.repeat(15)}${'-'.repeat(15)}] 1/2 replayed 1, skipped 0`]);
      progress.note('interrupted (token sio_admin_secret)');
      expect(screen(written)).toEqual([
        'interrupted (token ********)',
        `[${'#'.repeat(15)}${'-'.repeat(15)}] 1/2 replayed 1, skipped 0`,
      ]);
      progress.record('failed', 'failed b: HTTP 404 NOT_FOUND');
      progress.finish();
      expect(screen(written)).toEqual([
        'interrupted (token ********)',
        `[${'#'.repeat(30)}] 2/2 replayed 1, skipped 0, failed 1`,
        '',
      ]);
      expect(written).not.toContain('sio_admin_secret');
      expect(jest.getTimerCount()).toBe(0); // nothing left to keep the CLI from exiting
    } finally {
      jest.useRealTimers();
    }
  });

  test('printed text shows C0, DEL, C1 and bidi controls as escapes; Output keeps line breaks, table cells do not', () => {
    expect(printable('a\u001b[31mb\u0007\u007f\u009b\u0085\u202e\u2066\u200f\u2028 ok ü 中 😀')).toBe(
      'a\\x1b[31mb\\x07\\x7f\\x9b\\x85\\u202e\\u2066\\u200f\\u2028 ok ü 中 😀',
    );
    let written = '';
    const out = new Output({ write: (s: string) => (written += s) });
    out.line('error: event "\u001b]0;pwned\u0007"\r\n\ttwo');
    expect(written).toBe('error: event "\\x1b]0;pwned\\x07"\\x0d\n\\x09two\n');
    expect(table(['A', 'B'], [['x\ny', 'z']])).toBe('A       B\nx\\x0ay  z\n');
  });

  test('the progress bar gives way to the counts on a narrow terminal', () => {
    let written = '';
    const progress = new Progress({ isTTY: true, columns: 42, write: (s: string) => (written += s) }, 40);
    progress.start();
    for (let i = 0; i < 11; i++) progress.record('replayed', '');
    progress.record('skipped', '');
    progress.finish();
    expect(screen(written)).toEqual(['[###-------] 12/40 replayed 11, skipped 1', '']);
  });

  test('flags: --name value, --name=value, booleans, -h for --help', () => {
    expect(
      parseFlags(['--since=2h', '--limit', '5', '--dry-run', '-h', '--token', 'a=b'], REPLAY_FLAGS, 'replay'),
    ).toEqual({
      since: '2h',
      limit: '5',
      'dry-run': true,
      help: true,
      token: 'a=b',
    });
    expect(parseFlags([], REPLAY_FLAGS, 'replay')).toEqual({});
    // A value may start with a single dash; only a flag-like `--…` is taken for a forgotten value.
    expect(parseFlags(['--integration', '-x'], REPLAY_FLAGS, 'replay')).toEqual({ integration: '-x' });
    // Object.prototype's names are not flags.
    expect(() => parseFlags(['--constructor'], REPLAY_FLAGS, 'replay')).toThrow('unknown flag --constructor');
    expect(() => parseFlags(['--limit'], REPLAY_FLAGS, 'replay')).toThrow(
      expect.objectContaining({ constructor: UsageError, message: '--limit needs a value', command: 'replay' }),
    );
  });

  test('--since/--until: durations ago and ISO 8601 date-times', () => {
    const now = new Date('2026-11-29T12:00:00.000Z');
    const at = (value: string) => parseTimeFlag({ since: value }, 'since', now);
    expect(at('30m')).toBe('2026-11-29T11:30:00.000Z');
    expect(at('2h')).toBe('2026-11-29T10:00:00.000Z');
    expect(at('7d')).toBe('2026-11-22T12:00:00.000Z');
    expect(at('1h30m')).toBe('2026-11-29T10:30:00.000Z');
    expect(at('2026-11-29T10:00:00+02:00')).toBe('2026-11-29T08:00:00.000Z');
    expect(at('2026-11-29')).toBe('2026-11-29T00:00:00.000Z');
    for (const bad of ['2', 'h', '-2h', 'yesterday', '2026-02-30', '2026-11-29T10:00'])
      expect(() => at(bad)).toThrow(UsageError);
  });
});
