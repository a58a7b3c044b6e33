/**
 * Every `error.code` the API answers with, its status and when. The OpenAPI document lists them, and a test checks
 * that every code the source throws is here.
 */
export const ERROR_CODES = {
  BAD_URL: [400, 'The path holds a malformed percent-encoding'],
  MALFORMED_JSON: [400, 'The body is empty or not JSON'],
  BAD_REQUEST: [400, 'A request the HTTP layer refuses'],
  UNAUTHORIZED: [401, 'No bearer token, or an unknown or revoked one'],
  FORBIDDEN: [403, "The token's role does not allow this action"],
  NOT_FOUND: [404, 'No such route, integration, token or delivery'],
  VENDOR_NOT_FOUND: [404, 'The catalog has no such vendor'],
  REQUEST_TIMEOUT: [408, 'The request did not arrive in time; its connection is closed'],
  DUPLICATE_NAME: [409, 'An integration of that name exists'],
  NOT_REPLAYABLE: [409, 'The delivery cannot be replayed (no readable input)'],
  REPLAY_IN_PROGRESS: [409, 'A replay of this delivery is running'],
  ORDER_AFTER_DELETION: [
    409,
    "The delivery was handed over before its person's deletion or suppression: a replay would undo it (force=true replays anyway, audited)",
  ],
  PAYLOAD_TOO_LARGE: [413, 'The body is over the endpoint’s limit'],
  URI_TOO_LONG: [414, 'The URL or a path parameter is too long'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'The body is not application/json'],
  VALIDATION_FAILED: [422, 'Fields are invalid: details names each'],
  INVALID_CREDENTIALS: [422, 'Customer.io refused the site id and tracking API key'],
  REGION_MISMATCH: [422, 'The Customer.io account is in the other region'],
  REQUEST_HEADER_FIELDS_TOO_LARGE: [431, 'The request headers are too large'],
  RATE_LIMITED: [429, 'Too many requests (or failed authentications): Retry-After says when to retry'],
  TOO_MANY_STREAMS: [429, 'Too many live-event streams are open'],
  INTERNAL: [500, 'An unexpected error: the service log has the details'],
  LIVE_PAGE_MISSING: [500, 'The Live Events page was not built'],
  CUSTOMERIO_UNREACHABLE: [502, 'Customer.io did not answer the credentials check (install with verify: false)'],
  SHUTTING_DOWN: [503, 'The API is stopping: retry on another replica'],
  STORE_UNAVAILABLE: [503, 'The database is out of reach (or not migrated yet at start): retry after Retry-After'],
  TEMPORAL_UNAVAILABLE: [503, 'Temporal is out of reach: retry the whole request'],
} as const satisfies Record<string, readonly [number, string]>;
