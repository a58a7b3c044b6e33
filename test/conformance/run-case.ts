import { InvalidEventError, toDeliveryInput } from '../../src/client/start-delivery';
import { planDelivery } from '../../src/customerio/actions';
import { trackBaseUrls } from '../../src/customerio/regions';
import { consentDecision } from '../../src/intake/consent';
import { parseSignalEvent } from '../../src/shared/event-schema';
import { canonicalizeAll, type Operation, type TrackRequest } from './canonical';
import { diffOperations, type FieldDiff, summary } from './compare';
import { DELIBERATE, UNSUPPORTED_BY_DESIGN, type CaseContext, fieldMatches } from './deliberate';
import type { PeerCase } from './peer-cases';
import { projectConfigFor, type Setting } from './peer-config';

/** Segment's fixtures pin "now" here; the project stamps it on events that arrive without a time. */
export const NOW = new Date('2026-08-20T12:00:00.000Z');
const INTEGRATION_ID = 'int_conformance';

/** What the project does with a peer's input event. */
export type OurOutcome =
  | { kind: 'requests'; requests: TrackRequest[] }
  | { kind: 'refused'; stage: 'config' | 'event schema' | 'intake' | 'plan' | 'planning threw'; message: string }
  | { kind: 'filtered'; reason: string; detail?: string };

export type Outcome = 'agrees' | 'differs (deliberate)' | 'differs' | 'unsupported' | 'error-agrees' | 'error-differs';

export interface CaseResult {
  case: PeerCase;
  outcome: Outcome;
  /** The deliberate reasons that excuse some of its differences (all of them, when it `differs (deliberate)`). */
  deliberate: string[];
  /** For `unsupported`: the listed design reason, when there is one. */
  byDesign?: string;
  /** Differences no listed reason excuses (empty unless the outcome is `differs` or `error-differs`). */
  unexcused: FieldDiff[];
  diffs: FieldDiff[];
  ours: OurOutcome;
  oursOps: Operation[];
  peerOps: Operation[];
  missingConfig: Setting[];
}

/**
 * The project's real planning, as a delivery runs it: the event schema, the intake's consent check and messageId,
 * `toDeliveryInput` (the decisions made once per delivery), `planDelivery`; the host is the region's.
 */
export function runProject(c: PeerCase): { outcome: OurOutcome; missing: Setting[] } {
  const settings = projectConfigFor(c);
  if (!settings.ok) return { outcome: refused('config', settings.problem), missing: settings.missing };
  const { config } = settings;
  const missing = settings.missing;

  // The intake gives an event without a messageId one of its own; a fixed one keeps the event id reproducible.
  const unnamed = c.input.messageId === undefined && c.input.message_id === undefined;
  const raw = unnamed ? { ...c.input, messageId: `conformance:${c.id}` } : c.input;
  const parsed = parseSignalEvent(raw);
  if (!parsed.ok) {
    const message = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return { outcome: refused('event schema', message), missing };
  }
  const consent = consentDecision(parsed.event, config.consent_categories);

  let input;
  try {
    input = toDeliveryInput(INTEGRATION_ID, parsed.event, {
      config,
      now: () => NOW,
      ...(consent.allowed ? {} : { filter: { reason: 'consent_denied', detail: consent.detail } }),
    });
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    return { outcome: refused('intake', err.message), missing };
  }
  if (input.filter) {
    return { outcome: { kind: 'filtered', reason: input.filter.reason, detail: input.filter.detail }, missing };
  }

  let plan;
  try {
    plan = planDelivery(input);
  } catch (err) {
    // A delivery refuses such an event as InvalidEvent (prepareDelivery); here it is shown for what it is.
    return { outcome: refused('planning threw', err instanceof Error ? err.message : String(err)), missing };
  }
  if (!plan.ok) return { outcome: refused('plan', `${plan.failureType}: ${plan.message}`), missing };
  const host = new URL(trackBaseUrls()[config.region]).host;
  return { outcome: { kind: 'requests', requests: requestsOf(plan).map((r) => ({ host, ...r })) }, missing };
}

/**
 * The requests of a plan. Today a plan holds one `request`; an action that needs several calls (an object and a
 * relationship) may make it a list, and the harness should not need to change with it.
 */
function requestsOf(plan: object): Omit<TrackRequest, 'host'>[] {
  const p = plan as { request?: TrackRequest; requests?: TrackRequest[] };
  const list = p.requests ?? (p.request ? [p.request] : []);
  return list.map(({ method, path, body }) => ({ method, path, body }));
}

function refused(stage: Extract<OurOutcome, { kind: 'refused' }>['stage'], message: string): OurOutcome {
  return { kind: 'refused', stage, message };
}

/** Runs one case and says how the project's outcome compares with the peer's. */
export function runCase(c: PeerCase): CaseResult {
  const { outcome: ours, missing } = runProject(c);
  const oursOps = ours.kind === 'requests' ? canonicalizeAll(ours.requests) : [];
  const peerOps = c.expected.outcome === 'requests' ? canonicalizeAll(c.expected.requests) : [];
  const base = { case: c, ours, oursOps, peerOps, missingConfig: missing, deliberate: [], unexcused: [], diffs: [] };
  const ctx: CaseContext = { peer: c.peer, input: c.input, receivedAt: Math.floor(NOW.getTime() / 1000) };

  if (c.expected.outcome === 'error') {
    if (ours.kind !== 'requests') return { ...base, outcome: 'error-agrees' };
    const diff: FieldDiff = { field: '(outcome)', ours: oursOps.map(summary).join(' + '), peer: c.expected.error };
    return judge(base, [diff], ctx, 'error-differs');
  }
  if (ours.kind !== 'requests') {
    const byDesign = UNSUPPORTED_BY_DESIGN.find((u) => u.cases.includes(c.id))?.id;
    return { ...base, outcome: 'unsupported', ...(byDesign ? { byDesign } : {}) };
  }
  const diffs = diffOperations(oursOps, peerOps);
  if (diffs.length === 0) return { ...base, outcome: 'agrees' };
  return judge(base, diffs, ctx, 'differs');
}

/** A difference is excused only by a listed reason that names its field and explains this very difference. */
function judge(
  base: Omit<CaseResult, 'outcome'>,
  diffs: FieldDiff[],
  ctx: CaseContext,
  otherwise: 'differs' | 'error-differs',
): CaseResult {
  const used = new Set<string>();
  const unexcused: FieldDiff[] = [];
  for (const diff of diffs) {
    const reason = DELIBERATE.find(
      (d) =>
        (!d.peers || d.peers.includes(ctx.peer)) &&
        d.fields.some((f) => fieldMatches(f, diff.field)) &&
        d.when(diff, ctx),
    );
    if (reason) used.add(reason.id);
    else unexcused.push(diff);
  }
  const deliberate = [...used].sort();
  if (unexcused.length > 0) return { ...base, diffs, unexcused, deliberate, outcome: otherwise };
  return { ...base, diffs, deliberate, outcome: 'differs (deliberate)' };
}
