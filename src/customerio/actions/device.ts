import type { SignalEvent } from '../../shared/event';
import { toUnixSeconds } from '../timestamps';
import { sentAnonymously } from './anonymous-event';
import { type Action, customerPath, customEventName, named, record } from './types';

const APPLE = new Set(['ios', 'ipados', 'tvos', 'watchos', 'macos', 'visionos']);

/** The push token of the event's device, if it has one. */
export function deviceToken(event: SignalEvent): string | undefined {
  const token = event.context?.device?.token;
  return typeof token === 'string' && token.trim() !== '' ? token.trim() : undefined;
}

/** Customer.io's platform names: `ios` for the Apple family, `android`, else the device type as sent. */
function platform(event: SignalEvent): string | undefined {
  const device = event.context?.device ?? {};
  const type = typeof device.type === 'string' ? device.type.trim().toLowerCase() : '';
  if (APPLE.has(type) || (typeof device.manufacturer === 'string' && device.manufacturer.toLowerCase() === 'apple'))
    return 'ios';
  return type || undefined;
}

/** Customer.io's own device attributes, from where Segment-spec events carry them. */
function deviceAttributes(event: SignalEvent): Record<string, string> {
  const context = event.context ?? {};
  const values: [string, unknown][] = [
    ['app_version', record(context.app).version],
    ['device_model', context.device?.model],
    ['device_os', record(context.os).version],
    ['device_locale', context.locale],
  ];
  return Object.fromEntries(
    values.filter(([, v]) => typeof v === 'string' && v !== '').map(([k, v]) => [k, v as string]),
  );
}

/**
 * A configured device event ("Application Installed", "Application Opened", "Device Created or Updated" by default)
 * with a push token → PUT /api/v1/customers/{id}/devices: adds the device, or updates when it was last used. Without
 * a token it is an ordinary event.
 */
export const deviceAdd: Action = {
  operation: 'device_add',
  addresses: 'person',
  // A device belongs to a person: an app event from someone not identified yet goes out as their anonymous event (as
  // RudderStack sends it) when the integration sends those, rather than failing for want of a person.
  appliesTo: (scope) =>
    named(scope.event, scope.options.deviceEvents) && deviceToken(scope.event) !== undefined && !sentAnonymously(scope),
  limits: { kind: 'none' },
  eventName: customEventName,
  build(ctx) {
    const device: Record<string, unknown> = { id: deviceToken(ctx.event), last_used: toUnixSeconds(ctx.eventTimeMs) };
    const os = platform(ctx.event);
    if (os) device.platform = os;
    const attributes = deviceAttributes(ctx.event);
    if (Object.keys(attributes).length > 0) device.attributes = attributes;
    return { method: 'PUT', path: customerPath(ctx.customerId, '/devices'), body: { device } };
  },
};

/** A configured device-removal event ("Application Uninstalled", "Device Deleted") → DELETE …/devices/{token}. */
export const deviceDelete: Action = {
  operation: 'device_delete',
  addresses: 'person',
  appliesTo: ({ event, options }) => named(event, options.deviceDeleteEvents),
  refuse: ({ event }) =>
    deviceToken(event) ? undefined : 'A device removal event needs the device token in context.device.token',
  limits: { kind: 'none' },
  eventName: customEventName,
  build: (ctx) => ({
    method: 'DELETE',
    path: customerPath(ctx.customerId, `/devices/${encodeURIComponent(deviceToken(ctx.event)!)}`),
  }),
};
