/**
 * Workflows for bench/order-mechanisms.ts: the shapes of the two ordering candidates of issue 16, without delivery.
 */
import { condition, defineSignal, getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';

export const goSignal = defineSignal('go');
export const eventSignal = defineSignal<[string]>('event');

/** Returns at once: the predecessor that has already finished (the chaining candidate's common case). */
export async function finishedEvent(): Promise<void> {}

/**
 * The chaining candidate done from inside the successor: it signals its predecessor (an external-signal command) and
 * goes when that fails because the predecessor has closed.
 */
export async function chainedEvent(predecessorId: string): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(predecessorId).signal(goSignal);
    return false;
  } catch {
    return true;
  }
}

/** Waits for `go` (a predecessor still running when its successor asks). */
export async function waitingEvent(): Promise<void> {
  let go = false;
  setHandler(goSignal, () => void (go = true));
  await condition(() => go, '1 minute');
}

/** A per-person sequencer fed by signal-with-start: takes events until it has been idle for `idleMs`. */
export async function personSequencer(idleMs: number): Promise<number> {
  let taken = 0;
  let pending = 0;
  setHandler(eventSignal, () => void pending++);
  for (;;) {
    if (!(await condition(() => pending > 0, idleMs))) return taken;
    taken += pending;
    pending = 0;
  }
}
