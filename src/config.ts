import { isIP } from 'node:net';
import { z } from 'zod';
import { DELIVERY_TASK_TIMEOUT_MS, MAX_HTTP_TIMEOUT_MS } from './shared/attempt-timing';
import { TASK_QUEUE } from './shared/names';

/** Env values that are set but empty count as unset, so `FOO=` in a compose file falls back to the default. */
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const withDefault = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);
const url = z.url({ message: 'must be a URL such as http://127.0.0.1:9000' });

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY beside addresses and CIDR ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies' X-Forwarded-For to believe for the client's address (rate limits, the audit log): unset or `false`
 * believes none; a number believes that many hops; addresses, CIDR ranges and proxy-addr's names (`loopback`, …),
 * comma-separated, believe those proxies; `true` believes any, which lets every client pick its own address.
 */
const TrustProxy = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() : v),
  z
    .string()
    .optional()
    .transform((v, ctx): boolean | number | string => {
      if (v === undefined || v === '' || v === 'false') return false;
      if (v === 'true') return true;
      if (/^\d+$/.test(v)) return Number(v);
      const entries = v.split(',').map((e) => e.trim());
      const bad = entries.filter((e) => !isProxyAddress(e));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must be true, false, a hop count, or comma-separated addresses/CIDR ranges/loopback|linklocal|uniquelocal; not ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
        });
        return z.NEVER;
      }
      return entries.join(',');
    }),
);

/** Where `npm start` keeps its state (secrets, SQLite store, Temporal's database); the CLI looks there too. */
export const DEFAULT_DATA_DIR = 'data';
/** The files `npm start` keeps in its data directory; the CLI reads the admin token from `secrets`. */
export const DATA_FILES = { secrets: 'local-secrets.json', db: 'signal.db', temporal: 'temporal.db' } as const;
/** The API's port, unless PORT says otherwise; the CLI looks for the API there too. */
export const DEFAULT_PORT = 8084;

/**
 * WORKER_MAX_CONCURRENT_WORKFLOW_TASKS for `npm start`, whose intake starts a person's later events eagerly into its
 * own worker, where they wait for the earlier ones holding a slot each (src/client/start-in-order.ts), up to
 * WORKER_MAX_ORDERED_RUNS of them, beside the unordered runs. With 128 slots the eager starts found none free, the
 * waits went by signal, and ordered throughput fell to a third (npm run bench).
 */
export const EMBEDDED_WORKFLOW_TASK_SLOTS = 2048;

const EnvSchema = z.object({
  PORT: withDefault(z.coerce.number().int().min(1).max(65535).default(DEFAULT_PORT)),
  HOST: withDefault(z.string().default('127.0.0.1')),
  TEMPORAL_ADDRESS: withDefault(z.string().min(3).default('127.0.0.1:7233')),
  TEMPORAL_NAMESPACE: withDefault(z.string().min(1).default('default')),
  TEMPORAL_TASK_QUEUE: withDefault(z.string().min(1).default(TASK_QUEUE)),
  TEMPORAL_UI_URL: withDefault(url.default('http://localhost:8233')),
  DATABASE_URL: withDefault(z.string().min(1).default(`sqlite:./${DEFAULT_DATA_DIR}/${DATA_FILES.db}`)),
  ENCRYPTION_KEY: optionalText,
  SIGNAL_ADMIN_TOKEN: optionalText,
  SIGNAL_PIPELINE_KEY: optionalText,
  CUSTOMERIO_TRACK_URL_US: withDefault(url.optional()),
  CUSTOMERIO_TRACK_URL_EU: withDefault(url.optional()),
  /** A whole attempt's HTTP exchange; bounded so the attempt never outlasts its workflow task (attempt-timing.ts). */
  CUSTOMERIO_HTTP_TIMEOUT_MS: withDefault(
    z.coerce
      .number()
      .int()
      .min(100)
      .max(MAX_HTTP_TIMEOUT_MS, {
        message: `must be at most ${MAX_HTTP_TIMEOUT_MS}: an attempt runs inside a ${DELIVERY_TASK_TIMEOUT_MS / 1000} s workflow task and must end with 30 % of it to spare`,
      })
      .default(5_000),
  ),
  /** Consecutive 5xx or network failures of an integration, across its deliveries, that open its circuit. */
  CIRCUIT_FAILURES_TO_OPEN: withDefault(z.coerce.number().int().min(1).max(1_000).default(5)),
  /** While a circuit is open, one probe goes out after this wait, then at doubling waits up to CIRCUIT_MAX_PROBE_MS. */
  CIRCUIT_FIRST_PROBE_MS: withDefault(z.coerce.number().int().min(100).max(3_600_000).default(5_000)),
  CIRCUIT_MAX_PROBE_MS: withDefault(z.coerce.number().int().min(100).max(3_600_000).default(30_000)),
  /** How many workers share each integration's rate limit: each sends at most 1/WORKER_REPLICAS of it. */
  WORKER_REPLICAS: withDefault(z.coerce.number().int().min(1).max(1000).default(1)),
  WORKER_MAX_CONCURRENT_ACTIVITIES: withDefault(z.coerce.number().int().positive().default(100)),
  /**
   * Each HTTP attempt runs inside a workflow task (a local activity), so this also caps attempts in flight. An eager
   * start only happens when a slot is free as the intake starts the run: at 64, a third of `npm start`'s starts found
   * none under load and took the slower path through the server; at 128 every one was eager, at the same RSS
   * (npm run bench). 256 bought nothing more and cost 30 MB.
   */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: withDefault(z.coerce.number().int().min(2).default(128)),
  /**
   * `npm start` only: how many ordered runs its intake may have on their way to its worker, waiting there for an earlier
   * event of their person or in their attempt, at once (capped at 3/4 of the task slots). A request that would go past
   * it waits for room (src/client/start-in-order.ts), then chains its later events. Each waiting run holds a workflow
   * task, a local activity and their memory, so beyond a few seconds' worth of deliveries more of them only cost CPU:
   * npm run bench (5,000 events over 50 people) kept 0.85x of the unordered pipeline with 1,536, 0.90x with 1,000 and
   * 0.97x with 600. At least a full batch (MAX_BATCH_EVENTS), or a full batch would always be chained.
   */
  WORKER_MAX_ORDERED_RUNS: withDefault(z.coerce.number().int().min(500).default(600)),
  /** Workflows kept in memory between their tasks; a bigger cache costs memory and saves history replays. */
  WORKER_MAX_CACHED_WORKFLOWS: withDefault(z.coerce.number().int().min(2).default(128)),
  CREDENTIALS_REVALIDATE_MS: withDefault(z.coerce.number().int().min(0).default(5_000)),
  /**
   * How long the intake trusts its list of enabled integrations before reading it again: the bound on how late an
   * integration installed, disabled or deleted through another API replica starts or stops getting events here.
   */
  INTAKE_INTEGRATIONS_CACHE_MS: withDefault(z.coerce.number().int().min(0).max(300_000).default(5_000)),
  /** Set: the process also serves its Prometheus metrics on this port (the worker's only way to be scraped). */
  METRICS_PORT: withDefault(z.coerce.number().int().min(1).max(65535).optional()),
  /** The one address the metrics ports listen on; they have no authentication, so keep it private. */
  METRICS_HOST: withDefault(z.string().min(1).default('127.0.0.1')),
  /** Set: the Temporal SDK's own metrics (worker polls, task latencies, slots) on this port, in the worker processes. */
  TEMPORAL_METRICS_PORT: withDefault(z.coerce.number().int().min(1).max(65535).optional()),
  /** `on` keeps the SDK's workflow stack traces; src/worker/workflow-thread-preload.ts acts on it, here it is checked. */
  WORKFLOW_STACK_TRACES: withDefault(z.enum(['on', 'off']).default('off')),
  LOG_LEVEL: withDefault(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info')),
  TRUST_PROXY: TrustProxy,
  /** The bound on how long a pipeline key revoked on one API replica keeps working on the others. */
  PIPELINE_KEY_CACHE_MS: withDefault(z.coerce.number().int().min(0).max(300_000).default(5_000)),
  LIVE_STREAMS_PER_TOKEN: withDefault(z.coerce.number().int().min(1).max(1_000).default(5)),
  LIVE_STREAMS_MAX: withDefault(z.coerce.number().int().min(1).max(100_000).default(100)),
  /** Intake requests per second per pipeline key (Signal's gateway default), bursts up to twice that. */
  RATE_LIMIT_INTAKE_PER_SECOND: withDefault(z.coerce.number().positive().max(1_000_000).default(1_000)),
  /** Management API requests per second per token, bursts up to twice that. */
  RATE_LIMIT_ADMIN_PER_SECOND: withDefault(z.coerce.number().positive().max(1_000_000).default(50)),
  /** Failed authentications per minute per client address, after which a bad token gets 429 instead of 401. */
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: withDefault(z.coerce.number().positive().max(1_000_000).default(30)),
  /** How long an API request waits for Temporal visibility (lists, counts, describe) before answering 503. */
  API_TEMPORAL_TIMEOUT_MS: withDefault(z.coerce.number().int().min(100).max(60_000).default(5_000)),
  /**
   * How long an intake request waits for Temporal to take its deliveries (all its starts together) before answering
   * 503: without it, the SDK retries an unreachable server for about 20 s while the caller waits.
   */
  INTAKE_TEMPORAL_TIMEOUT_MS: withDefault(z.coerce.number().int().min(100).max(60_000).default(10_000)),
  /**
   * The whole request (line, headers and body) must arrive within this, or it is answered 408 and its connection
   * closed: a client trickling its body cannot hold a connection for ever. The answer's time is not counted, so live
   * streams and slow Temporal calls are not cut.
   */
  API_REQUEST_TIMEOUT_MS: withDefault(z.coerce.number().int().min(100).max(600_000).default(30_000)),
  /** A request body that stops arriving for this long closes its connection, before the whole-request deadline. */
  API_BODY_IDLE_TIMEOUT_MS: withDefault(z.coerce.number().int().min(100).max(600_000).default(10_000)),
});

const CheckedEnvSchema = EnvSchema.refine((c) => c.CIRCUIT_MAX_PROBE_MS >= c.CIRCUIT_FIRST_PROBE_MS, {
  path: ['CIRCUIT_MAX_PROBE_MS'],
  message: 'must be at least CIRCUIT_FIRST_PROBE_MS',
});

export type Config = z.output<typeof EnvSchema>;

/** Settings only `npm start` reads: it embeds a Temporal dev server and keeps everything under one directory. */
const StartSchema = z
  .object({
    SIGNAL_DATA_DIR: withDefault(z.string().min(1).default(DEFAULT_DATA_DIR)),
    TEMPORAL_DEV_PORT: withDefault(z.coerce.number().int().min(1).max(65535).default(7233)),
    /** Defaults to the gRPC port + 1000, as the Temporal CLI does. */
    TEMPORAL_UI_PORT: withDefault(z.coerce.number().int().min(1).max(65535).optional()),
    /** Set: use that Temporal instead of embedding a dev server. */
    TEMPORAL_ADDRESS: optionalText,
  })
  .transform(({ TEMPORAL_ADDRESS, ...settings }) => ({ ...settings, embedTemporal: TEMPORAL_ADDRESS === undefined }));

type StartSettings = z.output<typeof StartSchema>;

export class ConfigError extends Error {}

/** Every environment variable the service reads, validated once at start; a bad one is named in the error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseEnv(CheckedEnvSchema, env);
}

export function loadStartSettings(env: NodeJS.ProcessEnv = process.env): StartSettings {
  return parseEnv(StartSchema, env);
}

function parseEnv<T extends z.ZodTypeAny>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`invalid configuration:\n${problems}`);
  }
  return parsed.data;
}

export function requireSetting<K extends keyof Config>(config: Config, key: K): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null)
    throw new ConfigError(`invalid configuration:\n  ${String(key)}: is required`);
  return value as NonNullable<Config[K]>;
}
