import { parseArgs } from 'node:util';
import { parseLayouts } from './layouts';

/** The bench's command line (see bench/run.ts). */
export const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '32' },
    batch: { type: 'string', default: '500' },
    'intake-concurrency': { type: 'string', default: '2' },
    backlog: { type: 'string' },
    /** People the events of the paths and the backlog are spread over, round robin (per-person order chains them). */
    people: { type: 'string', default: '50' },
    kill: { type: 'boolean', default: false },
    /**
     * Seconds of a Customer.io outage for one of two integrations (bench/outage.ts): the failing one has a backlog of
     * --outage-events deliveries, the healthy one gets --outage-rate events a second throughout.
     */
    outage: { type: 'string' },
    'outage-events': { type: 'string', default: '2000' },
    'outage-rate': { type: 'string', default: '20' },
    /**
     * Where the service runs (bench/layouts.ts): `dev-server` (npm start), `cluster` (the production layout on
     * PostgreSQL), or `dev-server,cluster` for both, one after the other, with their figures side by side.
     */
    layout: { type: 'string', default: 'dev-server' },
    /** PostgreSQL for `--layout cluster` (a user that may create databases); TEST_POSTGRES_URL by default. */
    'postgres-url': { type: 'string' },
    /** Seconds of a steady stream at --steady-rate events a second (bench/steady.ts): latency at a fixed rate. */
    steady: { type: 'string' },
    'steady-rate': { type: 'string', default: '20' },
    /**
     * Which paths to run: `unordered` is the pipeline with per-person order turned off for its integration. The
     * ratios need all four; one alone is for trying a change quickly.
     */
    paths: { type: 'string', default: 'empty,bare,pipeline,unordered' },
    /** Extra settings for the service under test, for trying a setting side by side: `--service-env KEY=VALUE`. */
    'service-env': { type: 'string', multiple: true, default: [] },
    /** Extra node flags for the service under test, e.g. `--service-node-arg=--cpu-prof`. */
    'service-node-arg': { type: 'string', multiple: true, default: [] },
  },
});
export const EVENTS = Number(flags.events);
export const ROUNDS = Number(flags.rounds);
export const CONCURRENCY = Number(flags.concurrency);
export const BATCH = Number(flags.batch);
export const PEOPLE = Number(flags.people);
export const INTAKE_CONCURRENCY = Number(flags['intake-concurrency']);
export const BACKLOG = flags.backlog ? Number(flags.backlog) : 0;
export const PATHS = new Set(flags.paths.split(','));
export const LAYOUT_KINDS = parseLayouts(flags.layout);
export const POSTGRES_URL = flags['postgres-url'] ?? process.env.TEST_POSTGRES_URL;
