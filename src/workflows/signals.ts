import { defineSignal } from '@temporalio/workflow';
import { CREDENTIALS_UPDATED_SIGNAL } from '../shared/names';

/** A new credentials revision of this delivery's integration exists (PATCH); carries its number. */
export const credentialsUpdated = defineSignal<[number]>(CREDENTIALS_UPDATED_SIGNAL);
