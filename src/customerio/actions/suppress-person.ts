import { lifecycleAction } from './lifecycle';

/** "User Suppressed" by default → POST /api/v1/customers/{id}/suppress: deleted, and never re-created by later data. */
export const suppressPerson = lifecycleAction('suppress_person', (o) => o.suppressPersonEvents, 'POST', '/suppress');

/** "User Unsuppressed" by default → POST /api/v1/customers/{id}/unsuppress: the identifier may be used again. */
export const unsuppressPerson = lifecycleAction(
  'unsuppress_person',
  (o) => o.unsuppressPersonEvents,
  'POST',
  '/unsuppress',
);
