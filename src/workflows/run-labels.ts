import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { DeliveryStatus, LastError } from '../shared/delivery';
import { AttemptsKey, DeliveryStatusKey, HttpStatusKey, LateEventAgeHoursKey } from '../shared/search-attributes';

interface LabelChange {
  httpStatus?: number | undefined;
  attempts?: number;
  error?: LastError;
  /** A late delivery: its event's age in hours at the 2xx (set once, with `delivered`). */
  lateAgeHours?: number;
}

/**
 * Keeps the run's labels current: DeliveryStatus / HttpStatus / Attempts / LateEventAgeHours search attributes, and
 * the last error in the memo. Writes to the history only when a value changes, and never adds a workflow task of its own.
 */
export class RunLabels {
  /** Applied to error messages before they reach the memo (hash_pii: the customer id in a URL becomes its hash). */
  redact: (message: string) => string = (message) => message;
  private status: DeliveryStatus = 'pending';
  private httpStatus: number | undefined;
  private attempts: number | undefined;
  private errorMessage: string | undefined;

  set(status: DeliveryStatus, change: LabelChange = {}): void {
    const updates: SearchAttributeUpdatePair[] = [];
    if (status !== this.status) updates.push({ key: DeliveryStatusKey, value: status });
    if (change.httpStatus !== undefined && change.httpStatus !== this.httpStatus)
      updates.push({ key: HttpStatusKey, value: change.httpStatus });
    if (change.attempts !== undefined && change.attempts !== this.attempts)
      updates.push({ key: AttemptsKey, value: change.attempts });
    // Rides the same upsert as `delivered`: no command of its own, so runs that are not late issue the same commands.
    if (change.lateAgeHours !== undefined) updates.push({ key: LateEventAgeHoursKey, value: change.lateAgeHours });
    this.status = status;
    if (change.httpStatus !== undefined) this.httpStatus = change.httpStatus;
    if (change.attempts !== undefined) this.attempts = change.attempts;
    if (updates.length > 0) upsertSearchAttributes(updates);
    // The memo keeps only what is new: a run of identical 500s writes its error once.
    if (change.error && change.error.message !== this.errorMessage) {
      this.errorMessage = change.error.message;
      upsertMemo({ lastError: { ...change.error, message: this.redact(change.error.message) } });
    }
  }
}
