import type { MappingOptions } from '../../shared/delivery';
import type { SignalEvent } from '../../shared/event';
import { type Action, customEventName, named, record } from './types';

/** A string or number naming the object, else undefined. */
function name(value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return text === '' ? undefined : text;
}

function objectId(props: Record<string, unknown>): string | undefined {
  return name(props.objectId ?? props.object_id);
}

/** The object an object-deletion event names: its type (else the integration's) and id (undefined: refused). */
export function deletedObject(event: SignalEvent, options: MappingOptions): { typeId: string; objectId?: string } {
  const props = record(event.properties);
  return {
    typeId: name(props.objectTypeId ?? props.object_type_id) ?? options.objectTypeId,
    objectId: objectId(props),
  };
}

/**
 * A configured object-deletion track event ("Object Deleted", Segment's preset) → POST /api/v2/entity deleting the
 * object named by `properties.objectId` of type `properties.objectTypeId` (else the integration's object type).
 */
export const objectDelete: Action = {
  operation: 'object_delete',
  addresses: 'own',
  appliesTo: ({ event, options }) => named(event, options.objectDeleteEvents),
  refuse: ({ event }) =>
    objectId(record(event.properties)) ? undefined : 'An object deletion event needs properties.objectId',
  limits: { kind: 'none' },
  eventName: customEventName,
  addressee: ({ event }) => `object ${objectId(record(event.properties))}`,
  build: (ctx) => {
    const { typeId, objectId: id } = deletedObject(ctx.event, ctx.options);
    return {
      method: 'POST',
      path: '/api/v2/entity',
      body: {
        type: 'object',
        action: 'delete',
        identifiers: { object_type_id: typeId, object_id: id },
      },
    };
  },
};
