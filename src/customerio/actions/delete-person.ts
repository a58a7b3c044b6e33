import { lifecycleAction } from './lifecycle';

/** "User Deleted" by default → DELETE /api/v1/customers/{id}: the person and all their data go. */
export const deletePerson = lifecycleAction('delete_person', (o) => o.deletePersonEvents, 'DELETE');
