/**
 * How the worker's activities and helpers tell other delivery runs something (a signal by workflow id), without
 * depending on a Temporal client: a run that is gone is no error, it is the answer `not_found`.
 */
export interface RunSignals {
  signal(workflowId: string, signalName: string, args?: unknown[]): Promise<'signalled' | 'not_found'>;
  /** `orderReleased` to a delivery waiting for this one, ending its start delay if it has one (release-delivery.ts). */
  release(workflowId: string): Promise<'signalled' | 'not_found'>;
}
