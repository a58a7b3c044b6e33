import { deadline } from './wait';

/** A server-sent events response read as it arrives: its status, headers, and the text so far. */
export interface SseConnection {
  status: number;
  headers: Headers;
  /** The parsed JSON of an error answer (anything but a 200 stream). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text(): string;
  /** Resolves once the text so far matches `pattern`; fails after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Settles when the server ends the stream or the client aborts it. */
  ended: Promise<void>;
  abort(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  let text = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  let body: unknown;
  let ended: Promise<void>;
  if (res.status !== 200 || !res.body) {
    text = await res.text();
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    ended = Promise.resolve();
  } else {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    ended = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          text += decoder.decode(value, { stream: true });
          notify();
        }
      } catch {
        // aborted by the client
      } finally {
        notify();
      }
    })();
  }
  return {
    status: res.status,
    headers: res.headers,
    body,
    text: () => text,
    ended,
    abort: () => controller.abort(),
    waitFor(pattern, timeoutMs = 10_000) {
      return deadline(
        new Promise<RegExpExecArray>((resolve) => {
          const check = () => {
            const m = pattern.exec(text);
            if (m) {
              waiters.delete(check);
              resolve(m);
            }
          };
          waiters.add(check);
          check();
        }),
        timeoutMs,
        () => `no ${pattern} in the stream within ${timeoutMs} ms; it said:\n${text.slice(-2000)}`,
      );
    },
  };
}
