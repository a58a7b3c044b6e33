/**
 * How long one delivery attempt may hold its workflow task. Each attempt of deliverEventV2 is a local activity: it
 * runs inside the workflow task that decided on it, and the task must complete before Temporal's workflow-task
 * timeout. The SDK keeps a longer local activity alive by completing the task at 80 % of that timeout and taking a
 * new one (a "heartbeat"), but on a loaded host that heartbeat came 2.9 s late, the task timed out, and the attempt's
 * answer was thrown away and the attempt made again. So an attempt is held short enough never to need the heartbeat.
 */

/** The workflow-task timeout of every delivery run (Temporal's default, set explicitly at start). */
export const DELIVERY_TASK_TIMEOUT_MS = 10_000;

/**
 * A local attempt waits in the worker for the integration's rate limit at most this long; a longer wait goes to a
 * durable timer (the attempt is `deferred`).
 */
export const DEFER_AFTER_MS = 2_000;

/**
 * An ordered delivery's attempt waits in the worker at most this long for an earlier delivery of its person to
 * finish (in this process, which wakes it at once) before it hands the wait to the workflow (a signal, a workflow task
 * more). It comes out of the same budget as the rate-limit wait: an attempt that waited here waits that much less for
 * its slot before it is deferred, so the attempt's longest run stays DEFER_AFTER_MS plus the HTTP exchange. A run with
 * a longer task timeout waits longer (attemptWaits).
 */
export const ORDER_GATE_MS = 1_000;

/**
 * The workflow-task timeout of an ordered delivery started eagerly in a process that runs a worker (`npm start`)
 * behind an unfinished earlier delivery of its person: its attempt waits in this worker, woken in-process, for as long
 * as its person's burst takes to drain (attemptWaits: 14 s), instead of by signal (a second task and a server round
 * trip each). The price: a worker lost while holding its task leaves it for this long before another worker takes it.
 */
export const ORDERED_TASK_TIMEOUT_MS = 30_000;

/**
 * An attempt's longest run (its rate-limit wait, then the whole HTTP exchange) ends with this share of the task
 * timeout to spare: 3 s at 10 s, above the 2.9 s lateness measured, and before the SDK's heartbeat at 80 %.
 */
const SPARE_SHARE = 0.3;

/**
 * The longest an attempt holds its workflow task by design: all of an ordered run's task timeout but the spare share
 * (21 s). The SDK warns of any task held over 5 s (TMPRL1104); the worker warns only past this.
 */
export const LONGEST_TASK_HOLD_MS = Math.floor(ORDERED_TASK_TIMEOUT_MS * (1 - SPARE_SHARE));

/** The longest CUSTOMERIO_HTTP_TIMEOUT_MS that leaves that margin: 5 s. */
export const MAX_HTTP_TIMEOUT_MS = Math.floor(DELIVERY_TASK_TIMEOUT_MS * (1 - SPARE_SHARE)) - DEFER_AFTER_MS;

/**
 * How long one attempt of a run with this task timeout may wait in the worker before its HTTP exchange: `budgetMs`
 * for the order gate and the rate-limit slot together (what is left of the task after its spare share and the longest
 * exchange), of which the order gate may take `gateMs` (the rate-limit wait stays at most DEFER_AFTER_MS). At 10 s:
 * 2 s and 1 s (ORDER_GATE_MS); at 30 s: 16 s and 14 s.
 */
export function attemptWaits(taskTimeoutMs: number): { budgetMs: number; gateMs: number } {
  const budgetMs = Math.floor(taskTimeoutMs * (1 - SPARE_SHARE)) - MAX_HTTP_TIMEOUT_MS;
  return { budgetMs, gateMs: Math.max(ORDER_GATE_MS, budgetMs - DEFER_AFTER_MS) };
}
