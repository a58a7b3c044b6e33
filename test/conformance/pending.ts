/**
 * TEMPORARY. Peer cases the project does not match yet, each with what it is missing (issue 10). The conformance test
 * accepts these as they are, fails when one starts to agree (take it off the list), and fails on any case that
 * disagrees without being listed. Done means this file is empty and then deleted.
 *
 * A capability marked "decide" is a choice, not a gap: implement it, or add a reason to deliberate.ts.
 */

export const CAPABILITIES = {
  'device-attributes':
    'decide: device attributes. Ours: app_version, device_model, device_os (context.os.version), device_locale from the context, no event properties. RudderStack v1: the event properties; v2: the properties plus device_os = context.os.name and the same context fields; Segment: none',
  'device-event-fallback':
    'a device event ("Application Installed") with no person goes out as an anonymous track event, as RudderStack sends it, instead of failing MissingCustomerIdentifier',
  'email-shape':
    'decide: `user@1` (no dot in the domain) is addressed as an email in relationships; both peers\' email checks (validator.isEmail, ajv) need a dot and send {id: "user@1"}',
  'object-delete-event':
    'Segment\'s "Object Deleted" track event (properties.objectId, properties.objectTypeId) deletes the object',
} as const;

export type Capability = keyof typeof CAPABILITIES;

export const PENDING: Readonly<Record<string, readonly Capability[]>> = {
  'segment/deleteObject/01': ['object-delete-event'],

  'rudderstack/processor/10-test-9': ['device-attributes'],
  'rudderstack/processor/15-test-14': ['device-attributes'],
  'rudderstack/processor/16-test-15': ['device-event-fallback'],
  'rudderstack/processor/17-test-16': ['device-attributes'],
  'rudderstack/processor/20-test-19': ['device-attributes'],
  'rudderstack/processor/27-test-26': ['device-attributes'],
  'rudderstack/processor/31-test-30': ['device-attributes'],
  'rudderstack/processor/32-test-31': ['device-event-fallback'],
  'rudderstack/processor/33-test-32': ['device-attributes'],
  'rudderstack/processor/36-test-35': ['device-attributes'],
  'rudderstack/processor/46-test-45': ['device-attributes'],
  'rudderstack/processor/48-test-47': ['device-attributes'],
  'rudderstack/processor/49-test-48': ['device-attributes'],
  'rudderstack/processor/50-test-49': ['device-attributes'],
  'rudderstack/processor/51-test-50': ['device-attributes'],
  'rudderstack/processor/53-test-52': ['device-attributes'],
  'rudderstack/processor/54-test-53': ['device-attributes'],
  'rudderstack/processor/55-test-54': ['device-attributes'],
  'rudderstack/processor/56-test-55': ['device-attributes'],
  'rudderstack/processor/57-test-56': ['email-shape'],
  'rudderstack/processor/59-test-58': ['email-shape'],
  'rudderstack/processor/60-test-59': ['email-shape'],
  'rudderstack/router/00-test-0#job3': ['email-shape'],
  'rudderstack/router/01-v2-mixed-events-batch-into-a-single-v2-batch#job3': ['email-shape'],
  'rudderstack/router/09-v2-android-application-installed-maps-to-add#job35': ['device-attributes'],
  'rudderstack/router/12-v2-application-installed-with-missing-userid#job39': ['device-event-fallback'],
  'rudderstack/router/14-v2-ipados-device-type-defaults-to-ios-platfo#job39': ['device-attributes'],
  'rudderstack/router/15-v2-group-with-add-relationships-action-build#job40': ['email-shape'],
  'rudderstack/router/16-v2-group-with-delete-relationships-action-bu#job41': ['email-shape'],
};
