/**
 * The one place an HTTP outcome from Customer.io is classified, and where the troubleshooting text users
 * need lives. Pure, so both the activity and tests use it.
 */

export type Verdict = 'delivered' | 'retry' | 'reject' | 'unauthorized';

export function classifyStatus(status: number): Verdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 408 || status === 429) return 'retry';
  // 501/505 mean the request can never work; other 5xx are the server's trouble and pass.
  if (status >= 500 && status !== 501 && status !== 505) return 'retry';
  return 'reject';
}

export const UNAUTHORIZED_HELP =
  'invalid Site ID or API key: verify the credentials in Customer.io Settings > API Credentials and update the integration config';

const REGION_HELP =
  'If your Customer.io dashboard URL contains fly-eu.customer.io the account is in the EU region: set region to "eu" (else "us")';

/** What an operator should read for a given status; `detail` is Customer.io's own error text, when it gave one. */
export function troubleshooting(status: number, detail?: string): string {
  const said = detail ? ` Customer.io said: ${detail}.` : '';
  switch (status) {
    case 400:
      return `400 Bad Request: Customer.io rejected the request as invalid.${said} Check the event's identifier, name, timestamp and attributes against the Track API.`;
    case 401:
      return `401 Unauthorized: ${UNAUTHORIZED_HELP}. ${REGION_HELP}.`;
    case 403:
      return `403 Forbidden: Customer.io refused these credentials for the Track API.${said} Use the Tracking API key from Customer.io Settings > API Credentials (not an App API key) and update the integration config.`;
    case 404:
      return `404 Not Found: the Track API did not recognise the request path.${said} ${REGION_HELP}.`;
    case 413:
      return `413 Payload Too Large: the request exceeds Customer.io's size limits.${said} Trim the event's properties or traits.`;
    case 422:
      return `422 Unprocessable Entity: Customer.io could not process the request.${said}`;
    case 429:
      return `429 Too Many Requests: Customer.io is rate limiting this workspace; retrying after its Retry-After delay.`;
    default:
      if (status >= 300 && status < 400) return `${status} redirect that was not followed.${said} ${REGION_HELP}.`;
      if (status >= 500) return `${status} server error from Customer.io.${said}`;
      return `${status} from Customer.io.${said}`;
  }
}

/** Customer.io's v1 error bodies: {"meta":{"errors":[…]}} or {"meta":{"error":"…"}}. */
export function customerIoErrorDetail(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as { meta?: { error?: unknown; errors?: unknown } };
    const errors = parsed.meta?.errors;
    if (Array.isArray(errors) && errors.length > 0) return errors.map(String).join('; ').slice(0, 300);
    if (typeof parsed.meta?.error === 'string') return parsed.meta.error.slice(0, 300);
  } catch {
    // not JSON: fall through to nothing, the raw excerpt is recorded elsewhere
  }
  return undefined;
}

const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** Retry-After in seconds or as an HTTP-date, relative to `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - nowMs, 0), MAX_RETRY_AFTER_MS);
}
