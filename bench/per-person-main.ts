/**
 * `npm run bench:order`: the per-person order bench (bench/per-person.ts) against the service as `npm start` runs it,
 * or in the production layout (`--layout cluster`, bench/layouts.ts).
 *
 *   npm run bench:order -- [--people 40] [--events 8] [--fail-share 0.3] [--seed bench] [--batch 40]
 *                          [--deadline-s 600] [--layout dev-server|cluster] [--postgres-url postgres://…]
 *
 * Today's retry schedule is not shortened (no setting reaches it in `npm start`): a failed attempt waits 4 s, 8 s,
 * 16 s … so a run takes about a minute.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Agent, request } from 'undici';
import { parseLayouts, startLayout } from './layouts';
import { OrderingFake, runPerPerson } from './per-person';
import { runBenchMain } from './loopback-track-api';

const { values: flags } = parseArgs({
  options: {
    people: { type: 'string', default: '40' },
    events: { type: 'string', default: '8' },
    'fail-share': { type: 'string', default: '0.3' },
    seed: { type: 'string', default: 'bench' },
    batch: { type: 'string', default: '40' },
    'deadline-s': { type: 'string', default: '600' },
    /** Where the service runs: `dev-server` (npm start) or `cluster` (the production layout on PostgreSQL). */
    layout: { type: 'string', default: 'dev-server' },
    /** PostgreSQL for `--layout cluster`; TEST_POSTGRES_URL by default. */
    'postgres-url': { type: 'string' },
  },
});

const http = new Agent({ keepAliveTimeout: 60_000, connections: 8 });

async function main(): Promise<void> {
  const failShare = Number(flags['fail-share']);
  const fake = await OrderingFake.start(failShare, flags.seed);
  const [kind, ...more] = parseLayouts(flags.layout);
  if (more.length > 0)
    throw new Error('bench:order runs one layout at a time: --layout dev-server or --layout cluster');
  const postgresUrl = flags['postgres-url'] ?? process.env.TEST_POSTGRES_URL;
  const layout = await startLayout(kind!, { fakeUrl: fake.url, ...(postgresUrl ? { postgresUrl } : {}) }).catch(
    async (err: unknown) => {
      await fake.close();
      throw err;
    },
  );
  const { apiUrl, adminToken, pipelineKey } = layout;
  const connection = await Connection.connect({ address: layout.address });
  try {
    const client = new Client({ connection, namespace: layout.namespace });
    const call = async (token: string, path: string, body: unknown) => {
      const res = await request(`${apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher: http,
      });
      return { status: res.statusCode, text: await res.body.text() };
    };
    const installed = await call(adminToken, '/v1/admin/integration-catalog/customer_io/install', {
      name: 'bench per-person order',
      variant: 'default',
      config: { site_id: 'bench', api_key: 'bench', tracking_api_key: 'bench', region: 'us', consent_categories: [] },
      delivery_mode: 'server_side',
    });
    if (installed.status !== 201) throw new Error(`install answered ${installed.status}: ${installed.text}`);
    const integrationId = (JSON.parse(installed.text) as { id: string }).id;
    const options = {
      people: Number(flags.people),
      eventsPerPerson: Number(flags.events),
      batch: Number(flags.batch),
      deadlineMs: Number(flags['deadline-s']) * 1000,
    };
    const report = await runPerPerson({
      options,
      fake,
      client,
      integrationId,
      tag: `order-${randomUUID().slice(0, 8)}`,
      post: async (batch) => {
        const res = await call(pipelineKey, '/v1/batch', { batch });
        if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${res.text.slice(0, 500)}`);
      },
    });
    process.stdout.write(
      [
        '',
        `## Per-person order on the ${layout.label}: ${report.people} people × ${options.eventsPerPerson} events (identify first, User Deleted last), ${Math.round(failShare * 100)} % of Customer.io requests answered 500 (seed ${flags.seed}), batches of ${options.batch}`,
        '',
        `people with at least one inversion at Customer.io: ${report.peopleWithInversion} of ${report.people}`,
        `deletions undone (a later 2xx for a deleted person): ${report.deletionsUndone} of ${report.people}`,
        `requests ${report.requests}, answered 500: ${report.failedAnswers}; closed deliveries ${JSON.stringify(report.closed)}`,
        `all ${report.events} delivered or failed after ${report.deliveredOrFailedSeconds} s (${report.perSecond} events/s)`,
        `event→Customer.io (first 2xx) p50 ${report.latencyP50} ms, p99 ${report.latencyP99} ms`,
        '',
      ].join('\n'),
    );
  } catch (err) {
    process.stderr.write(`the service printed last:\n${layout.tail()}\n`);
    throw err;
  } finally {
    await connection.close();
    await layout.stop();
    await fake.close();
    await http.close();
  }
}

runBenchMain('bench:order', main);
