import { identifierProblem } from '../../shared/identifier-rules';
import { personIdentifiers } from '../identifiers';
import type { Action } from './types';

/**
 * alias → POST /api/v1/merge_customers: the person known as `previousId` is merged into `userId` (attributes they
 * lack, recent events, segments), then deleted. Irreversible, so both must be stated.
 */
export const merge: Action = {
  operation: 'merge',
  addresses: 'own',
  appliesTo: ({ event }) => event.type === 'alias',
  refuse({ event }) {
    if (!event.userId) return 'An alias event needs the userId to merge into';
    if (!event.previousId) return 'An alias event needs the previousId of the person to merge';
    if (event.userId === event.previousId)
      return 'An alias event cannot merge a person into themselves (userId equals previousId)';
    const problem = identifierProblem(event.previousId);
    return problem ? `previousId ${problem}` : undefined;
  },
  limits: { kind: 'none' },
  addressee: ({ event }) => event.userId,
  build: ({ event }) => ({
    method: 'POST',
    path: '/api/v1/merge_customers',
    body: { primary: personIdentifiers(event.userId!), secondary: personIdentifiers(event.previousId!) },
  }),
};
