import { condition, setHandler } from '@temporalio/workflow';
import { circuitClosed } from './signals';

/**
 * The circuit-closed signals this delivery has received. An attempt held back by an open circuit may be told to wait
 * for the next one: counted from before the attempt, a signal that came while it was being held back is not missed.
 */
export class CircuitCloses {
  private received = 0;

  constructor() {
    setHandler(circuitClosed, () => {
      this.received++;
    });
  }

  /** Taken before an attempt; `after` waits for a close signalled since. */
  mark(): number {
    return this.received;
  }

  /** True once a close came after `mark`; false when `timeoutMs` ran out first. */
  async after(mark: number, timeoutMs: number): Promise<boolean> {
    if (this.received > mark) return true;
    return condition(() => this.received > mark, timeoutMs);
  }
}
