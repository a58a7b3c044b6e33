/**
 * How the worker's activities and helpers tell other delivery runs something (a signal by workflow id), without
 * depending on a Temporal client: a run that is gone is no error, it is the answer `not_found`.
 */
export interface RunSignals {
  signal(workflowId: string, signalName: string, args?: unknown[]): Promise<'signalled' | 'not_found'>;
}
