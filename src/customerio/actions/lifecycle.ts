import type { MappingOptions } from '../../shared/delivery';
import { type Action, customerPath, customEventName, named } from './types';

/**
 * An action that changes a person's standing in Customer.io when a configured track event arrives, rather than
 * recording the event: one call on the person, with no body.
 */
export function lifecycleAction(
  operation: string,
  names: (options: MappingOptions) => string[],
  method: 'DELETE' | 'POST',
  suffix = '',
): Action {
  return {
    operation,
    addresses: 'person',
    appliesTo: ({ event, options }) => named(event, names(options)),
    limits: { kind: 'none' },
    eventName: customEventName,
    build: (ctx) => ({ method, path: customerPath(ctx.customerId, suffix) }),
  };
}
