export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  // Tests read arbitrary JSON; a typed view would only restate what each test asserts.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (for malformed JSON). */
  raw?: string;
  headers?: Record<string, string>;
  /** Fails the call after this long (a hung server then fails the test where it hung, not at jest's deadline). */
  timeoutMs?: number;
}

/** Real HTTP against the service; every response text is also kept in `seen` for secret scans. */
export function httpClient(baseUrl: () => string, seen: string[] = []) {
  return async function call(method: string, path: string, options: CallOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(baseUrl() + path, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(options.timeoutMs !== undefined ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
    });
    const text = await res.text();
    seen.push(text);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };
}

/** Sends `send` until it is answered 429, at most `attempts` times; the statuses tell what came before. */
export async function untilRateLimited(
  send: () => Promise<HttpResult>,
  attempts = 8,
): Promise<{ statuses: number[]; limited: HttpResult | undefined }> {
  const statuses: number[] = [];
  for (let i = 0; i < attempts; i++) {
    const res = await send();
    statuses.push(res.status);
    if (res.status === 429) return { statuses, limited: res };
  }
  return { statuses, limited: undefined };
}

/** Every limiter answers like every other error: the JSON envelope, and a Retry-After header that says the same. */
export function expectRateLimited(res: HttpResult | undefined): void {
  expect(res?.status).toBe(429);
  const seconds = Number(res!.headers.get('retry-after'));
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(res!.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res!.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res!.body).toEqual({
    error: {
      code: 'RATE_LIMITED',
      message: `Too many requests: retry in ${seconds} s`,
      details: { retry_after_seconds: seconds },
    },
  });
}
