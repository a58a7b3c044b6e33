import { FakeCustomerIo } from './fake-customerio';

/**
 * `npm run fake-customerio`: a local stand-in for track.customer.io, to try the service with no Customer.io account.
 * Accepts the product page's example credentials (or FAKE_CUSTOMERIO_CREDENTIALS="site_id:key") and prints every
 * request it receives. Run the service with CUSTOMERIO_TRACK_URL_US=http://127.0.0.1:9090 to send to it.
 */
async function main(): Promise<void> {
  const [siteId, apiKey] = (process.env.FAKE_CUSTOMERIO_CREDENTIALS ?? 'abc123def456:xxxxxxxxxxxxxxxxxxxx').split(':');
  const port = Number(process.env.FAKE_CUSTOMERIO_PORT ?? 9090);
  const fake = await FakeCustomerIo.start({
    port,
    credentials: [{ siteId: siteId!, apiKey: apiKey! }],
    onRequest: (r) =>
      process.stdout.write(
        `${new Date(r.receivedAt).toISOString()} ${r.method} ${r.path} ${r.authorized ? '200' : '401'} ${r.body}\n`,
      ),
  });
  process.stdout.write(`fake Customer.io Track API on ${fake.url} (accepts site_id "${siteId}")\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
