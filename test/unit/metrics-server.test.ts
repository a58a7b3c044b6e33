import { eventTypeLabel, statusClass } from '../../src/observability/delivery-metrics';
import { startMetricsServer } from '../../src/observability/metrics-server';

describe('metrics port', () => {
  test('serves the registry on GET /metrics, on the host it was given, and nothing else', async () => {
    const server = await startMetricsServer('127.0.0.1', 0);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(await res.text()).toContain('# TYPE signal_customerio_attempts_total counter');
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
    await expect(fetch(server.url)).rejects.toThrow();
  });
});

describe('metric labels', () => {
  test('status classes, with no answer as network', () => {
    expect([200, 204, 301, 401, 429, 500, 503, undefined, 0].map(statusClass)).toEqual([
      '2xx',
      '2xx',
      '3xx',
      '4xx',
      '4xx',
      '5xx',
      '5xx',
      'network',
      'network',
    ]);
  });

  test('an event type outside the schema cannot grow the label set', () => {
    expect(eventTypeLabel('track')).toBe('track');
    expect(eventTypeLabel('user@example.com')).toBe('other');
    expect(eventTypeLabel(undefined)).toBe('other');
  });
});
