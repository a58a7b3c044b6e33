import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { UNAUTHORIZED_HELP } from '../../src/customerio/outcomes';
import { type DeliveryHarness, startDeliveryHarness } from '../support/delivery-harness';
import { httpClient } from '../support/http';

/** Debian's chromium: CI installs it (.ci/run); playwright-core never downloads a browser of its own. */
const CHROMIUM = '/usr/bin/chromium';
const RESULTS = resolve(__dirname, '../../test-results');
/** The live feed polls Temporal visibility about once a second; this leaves room for a slow CI machine. */
const ROW_TIMEOUT_MS = 20_000;

describe('Live Events page (/live) in a real browser', () => {
  let h: DeliveryHarness;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const call = httpClient(() => h.baseUrl);
  const creds = { siteId: 'live-site', apiKey: 'live-track-key-1' };
  let integrationId: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run installs it in CI`,
      );
    }
    h = await startDeliveryHarness({ api: true });
    h.us.acceptCredentials(creds);
    const installed = await h.installThroughApi({
      name: 'Customer.io Live',
      credentials: creds,
      appKey: 'live-app-key',
    });
    expect(installed.status).toBe(201);
    integrationId = installed.body.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  /** A fresh tab with its own sessionStorage; uncaught errors and CSP violations are collected for the asserts. */
  async function openPage(hash = ''): Promise<{ page: Page; problems: string[] }> {
    const context = await browser!.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    await page.goto(`${h.baseUrl}/live${hash}`);
    return { page, problems };
  }

  const postEvent = async (body: Record<string, unknown>): Promise<string> => {
    const res = await call('POST', '/v1/events', { token: h.pipelineKey, body });
    expect(res.status).toBe(202);
    expect(res.body.deliveries).toHaveLength(1);
    return res.body.deliveries[0].workflow_id as string;
  };

  const row = (page: Page, workflowId: string): Locator => page.locator(`tr[data-workflow-id="${workflowId}"]`);
  const cell = (page: Page, workflowId: string, col: string): Locator =>
    row(page, workflowId).locator(`[data-col="${col}"]`);
  /** Waits (up to the deadline) until the row's cell shows `text`. */
  const waitForCell = (page: Page, workflowId: string, col: string, text: string | RegExp) =>
    row(page, workflowId).locator(`[data-col="${col}"]`, { hasText: text }).waitFor({ timeout: ROW_TIMEOUT_MS });

  test('shows a delivered event with its 200, a 401 with the troubleshooting text, and the story of a delivery', async () => {
    const { page, problems } = await openPage();

    // The token goes in through the form; the page then streams.
    await page.locator('#token-form').waitFor();
    await page.locator('#token-form input[name=token]').fill(h.adminToken);
    await page.locator('#token-form button[type=submit]').click();
    await page.locator('#conn[data-state="live"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#token-form').isVisible()).toBe(false);

    const delivered = await postEvent({
      type: 'track',
      event: 'Live Test Event',
      userId: 'live-user-1',
      messageId: `live-ok-${Date.now()}`,
      properties: { plan: 'pro' },
    });
    await waitForCell(page, delivered, 'status', 'delivered');
    await waitForCell(page, delivered, 'http', /^200$/);
    expect((await cell(page, delivered, 'http').textContent())?.trim()).toBe('200');
    expect((await cell(page, delivered, 'attempts').textContent())?.trim()).toBe('1');
    expect(await cell(page, delivered, 'integration').textContent()).toBe('Customer.io Live');
    expect(await cell(page, delivered, 'customer').textContent()).toBe('live-user-1');
    expect(await row(page, delivered).locator('a').getAttribute('href')).toContain(encodeURIComponent(delivered));
    expect(await row(page, delivered).locator('a').getAttribute('rel')).toBe('noopener');

    // Customer.io turns the credentials down: the delivery parks awaiting new credentials, and says what to fix.
    h.us.respondWith({ status: 401, body: { meta: { error: 'Unauthorized request' } } });
    const unauthorized = await postEvent({
      type: 'identify',
      userId: 'live-user-2',
      messageId: `live-401-${Date.now()}`,
      traits: { plan: 'free' },
    });
    await waitForCell(page, unauthorized, 'http', /^401$/);
    await waitForCell(page, unauthorized, 'error', UNAUTHORIZED_HELP);
    expect(await cell(page, unauthorized, 'error').textContent()).toContain(
      'invalid Site ID or API key: verify the credentials in Customer.io Settings > API Credentials and update the integration config',
    );
    await waitForCell(page, unauthorized, 'status', 'awaiting credentials');
    // Newest on top (other test files share the namespace, so compare this test's own two rows).
    const order = await page
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-workflow-id')));
    expect(order.indexOf(unauthorized)).toBeLessThan(order.indexOf(delivered));

    // The delivered row's story: input → request → response, from the run's history.
    await cell(page, delivered, 'customer').click();
    const detail = page.locator('#detail');
    await detail.locator('text=Customer.io response').waitFor({ timeout: 10_000 });
    const story = (await detail.textContent()) ?? '';
    expect(story).toContain(delivered);
    expect(story).toContain('"event": "Live Test Event"'); // the input event, as JSON
    expect(story).toContain('"plan": "pro"');
    expect(story).toContain(`POST ${h.us.url}/api/v1/customers/live-user-1/events`);
    expect(await detail.locator('.stage', { hasText: 'Customer.io response' }).textContent()).toMatch(
      /Customer.io response200/,
    );
    expect(story).toContain('delivered');

    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'live-events.png'), fullPage: true });

    // Nothing secret reaches the page: not in its markup, its text or its address.
    const html = await page.content();
    const text = await page.locator('body').innerText();
    for (const secret of [h.adminToken, h.pipelineKey, creds.apiKey, 'live-app-key']) {
      expect(html).not.toContain(secret);
      expect(text).not.toContain(secret);
      expect(page.url()).not.toContain(secret);
    }

    // A filter reconnects the stream with it: only the parked delivery is left.
    await page.locator('#f-status').selectOption('awaiting_credentials');
    await row(page, delivered).waitFor({ state: 'detached', timeout: 10_000 });
    await waitForCell(page, unauthorized, 'status', 'awaiting credentials');
    await page.locator('#f-integration').selectOption(integrationId);
    await waitForCell(page, unauthorized, 'http', /^401$/);
    await page.locator('#conn[data-state="live"]').waitFor({ timeout: 10_000 });
    expect(problems).toEqual([]);
  });

  test('marks a delivery whose event was past Customer.io’s 72-hour campaign window as late, with its age', async () => {
    const { page, problems } = await openPage(`#token=${encodeURIComponent(h.adminToken)}`);
    await page.locator('#conn[data-state="live"]').waitFor({ timeout: 10_000 });
    const late = await postEvent({
      type: 'track',
      event: 'Late Live Event',
      userId: 'live-late-user',
      messageId: `live-late-${Date.now()}`,
      timestamp: new Date(Date.now() - 80 * 3_600_000).toISOString(),
    });
    const fresh = await postEvent({
      type: 'track',
      event: 'Fresh Live Event',
      userId: 'live-fresh-user',
      messageId: `live-fresh-${Date.now()}`,
    });
    await waitForCell(page, late, 'status', /^delivered\s*late · 80(\.\d)? h$/);
    expect(await cell(page, late, 'status').locator('.late').getAttribute('title')).toMatch(
      /older than Customer.io’s 72-hour campaign window, so it starts no campaign/,
    );
    await waitForCell(page, fresh, 'status', 'delivered');
    expect(await cell(page, fresh, 'status').locator('.late').count()).toBe(0);
    // The detail head says it too.
    await cell(page, late, 'customer').click();
    await page.locator('#detail .meta .late', { hasText: /late · 80/ }).waitFor({ timeout: 10_000 });
    expect(problems).toEqual([]);
  });

  test('takes the token once from #token= and drops it from the address; a wrong token brings the form back', async () => {
    const { page, problems } = await openPage(`#token=${encodeURIComponent(h.adminToken)}`);
    await page.locator('#conn[data-state="live"]').waitFor({ timeout: 10_000 });
    expect(page.url()).toBe(`${h.baseUrl}/live`);
    await page.reload(); // sessionStorage keeps it for this tab
    await page.locator('#conn[data-state="live"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#token-form').isVisible()).toBe(false);
    expect(problems).toEqual([]);

    const wrong = await openPage('#token=sio_admin_not-a-real-token');
    await wrong.page.locator('#token-form').waitFor({ timeout: 10_000 });
    expect(await wrong.page.locator('#token-error').textContent()).toContain('not accepted');
    expect(wrong.page.url()).toBe(`${h.baseUrl}/live`);
    expect(await wrong.page.locator('body').innerText()).not.toContain('not-a-real-token');
  });
});
