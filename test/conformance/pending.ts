/**
 * TEMPORARY. Peer cases the project does not match yet, each with what it is missing (issue 10). The conformance test
 * accepts these as they are, fails when one starts to agree (take it off the list), and fails on any case that
 * disagrees without being listed. Done means this file is empty and then deleted.
 *
 * A capability marked "decide" is a choice, not a gap: implement it, or add a reason to deliberate.ts.
 */

export const CAPABILITIES = {
  'anonymous-id-on-email-identify':
    'issue §2.1: an identify keyed by email sends `anonymous_id` too, so Customer.io merges the anonymous profile',
  'created-at-invalid-or-empty':
    'issue §2.2: an unparseable `created_at` stays under `created_at`, unchanged; an empty one is dropped',
  'page-url-precedence':
    'issue §2.3: a page is named by properties.url, then context.page.url; `name` and `data.url` agree',
  'convert-timestamps':
    'issue §2.4: ISO-8601 strings in attributes and event data (nested too) become unix seconds; config `convert_timestamps`, default on',
  'id-trait': 'issue §2.5: the `id` trait is forwarded when the person is addressed by cio_id or email',
  'identifier-sources':
    'issue §2.6: without a userId, the customer id comes from traits.userId / context.traits.userId (and traits.id, context.traits.id)',
  'identity-traits':
    'decide: traits.anonymousId is an identifier, not a person attribute (RudderStack drops it, Segment would forward it)',
  'group-objects':
    'issue §3: group → object identify (traits as attributes, `object_type_id` default "1") related to the person; Segment\'s "Object Deleted" event deletes the object',
  'identify-object-relationship':
    'issue §3: traits.objectId (+ traits.object_type_id, traits.relationshipAttributes) on identify relates the person to that object',
  'anonymous-events':
    'issue §3: with no userId or email, an event with an anonymousId goes out as an anonymous event; config `anonymous_events`, default off',
  devices:
    'issue §3: "Application Installed"/"Application Opened" (or a configured event) with context.device.token add the device; "Application Uninstalled" deletes it',
  'alias-merge': 'issue §3: alias → merge people (primary userId, secondary previousId); `alias` in the event schema',
  screen: 'issue §3: screen → a screen view; `screen` in the event schema',
  'delete-suppress': 'issue §3: configurable events ("User Deleted", "User Suppressed") delete or suppress the person',
  'reverse-etl-external-id':
    "issue §3: reverse-ETL events take the identifier from context.externalId when there's no userId",
} as const;

export type Capability = keyof typeof CAPABILITIES;

export const PENDING: Readonly<Record<string, readonly Capability[]>> = {
  'segment/createUpdatePerson/01': ['convert-timestamps'],
  'segment/createUpdatePerson/02': ['convert-timestamps'],
  'segment/createUpdatePerson/03': ['anonymous-id-on-email-identify', 'convert-timestamps'],
  'segment/createUpdatePerson/04': ['convert-timestamps'],
  'segment/createUpdatePerson/05': ['convert-timestamps'],
  'segment/createUpdatePerson/06': ['created-at-invalid-or-empty'],
  'segment/createUpdatePerson/09': ['convert-timestamps'],
  'segment/createUpdatePerson/11': ['identify-object-relationship', 'convert-timestamps'],
  'segment/createUpdatePerson/12': ['identify-object-relationship'],
  'segment/createUpdatePerson/13': ['created-at-invalid-or-empty'],
  'segment/createUpdatePerson/14': ['convert-timestamps'],
  'segment/createUpdatePerson/15': ['identify-object-relationship', 'convert-timestamps'],
  'segment/trackEvent/01': ['convert-timestamps'],
  'segment/trackEvent/02': ['anonymous-events'],
  'segment/trackPageView/01': ['page-url-precedence', 'convert-timestamps'],
  'segment/trackPageView/02': ['anonymous-events'],
  'segment/trackPageView/05': ['page-url-precedence'],
  'segment/trackScreenView/01': ['screen'],
  'segment/createUpdateDevice/01': ['devices'],
  'segment/deleteDevice/01': ['devices'],
  'segment/mergePeople/01': ['alias-merge'],
  'segment/deletePerson/01': ['delete-suppress'],
  'segment/suppressPerson/01': ['delete-suppress'],
  'segment/createUpdateObject/01': ['group-objects', 'convert-timestamps'],
  'segment/deleteObject/01': ['group-objects'],

  'rudderstack/processor/01-test-0': ['id-trait'],
  'rudderstack/processor/03-test-2': ['identity-traits'],
  'rudderstack/processor/05-test-4': ['anonymous-id-on-email-identify', 'identity-traits'],
  'rudderstack/processor/09-test-8': ['anonymous-events'],
  'rudderstack/processor/10-test-9': ['devices'],
  'rudderstack/processor/11-test-10': ['devices'],
  'rudderstack/processor/12-test-11': ['devices'],
  'rudderstack/processor/13-test-12': ['devices'],
  'rudderstack/processor/15-test-14': ['devices'],
  'rudderstack/processor/16-test-15': ['anonymous-events'],
  'rudderstack/processor/17-test-16': ['devices'],
  'rudderstack/processor/20-test-19': ['devices'],
  'rudderstack/processor/21-test-20': ['devices'],
  'rudderstack/processor/22-test-21': ['identity-traits'],
  'rudderstack/processor/26-test-25': ['anonymous-events'],
  'rudderstack/processor/27-test-26': ['devices'],
  'rudderstack/processor/28-test-27': ['devices'],
  'rudderstack/processor/29-test-28': ['devices'],
  'rudderstack/processor/31-test-30': ['devices'],
  'rudderstack/processor/32-test-31': ['anonymous-events'],
  'rudderstack/processor/33-test-32': ['devices'],
  'rudderstack/processor/36-test-35': ['devices'],
  'rudderstack/processor/37-test-36': ['devices'],
  'rudderstack/processor/40-test-39': ['screen', 'anonymous-events'],
  'rudderstack/processor/41-test-40': ['screen'],
  'rudderstack/processor/46-test-45': ['devices'],
  'rudderstack/processor/48-test-47': ['devices'],
  'rudderstack/processor/49-test-48': ['devices', 'identifier-sources'],
  'rudderstack/processor/50-test-49': ['devices', 'identifier-sources'],
  'rudderstack/processor/51-test-50': ['devices'],
  'rudderstack/processor/53-test-52': ['devices'],
  'rudderstack/processor/54-test-53': ['devices', 'identifier-sources'],
  'rudderstack/processor/55-test-54': ['devices', 'identifier-sources'],
  'rudderstack/processor/56-test-55': ['devices'],
  'rudderstack/processor/57-test-56': ['group-objects'],
  'rudderstack/processor/58-test-57': ['group-objects'],
  'rudderstack/processor/59-test-58': ['group-objects'],
  'rudderstack/processor/60-test-59': ['group-objects'],
  'rudderstack/processor/61-test-60': ['group-objects'],
  'rudderstack/processor/62-test-61': ['group-objects'],
  'rudderstack/processor/63-test-62': ['group-objects'],
  'rudderstack/router/00-test-0#job1': ['identity-traits'],
  'rudderstack/router/00-test-0#job3': ['group-objects'],
  'rudderstack/router/00-test-0#job4': ['group-objects'],
  'rudderstack/router/01-v2-mixed-events-batch-into-a-single-v2-batch#job1': ['identity-traits'],
  'rudderstack/router/01-v2-mixed-events-batch-into-a-single-v2-batch#job3': ['group-objects'],
  'rudderstack/router/01-v2-mixed-events-batch-into-a-single-v2-batch#job4': ['group-objects'],
  'rudderstack/router/02-v2-3-valid-events-batch-together-2-invalid-e#job12': ['alias-merge'],
  'rudderstack/router/03-v2-retl-identify-with-externalid-only-no-use#job20': ['reverse-etl-external-id'],
  'rudderstack/router/09-v2-android-application-installed-maps-to-add#job35': ['devices'],
  'rudderstack/router/10-v2-android-application-uninstalled-maps-to-d#job36': ['devices'],
  'rudderstack/router/12-v2-application-installed-with-missing-userid#job39': ['anonymous-events'],
  'rudderstack/router/13-v2-screen-event-with-anonymousid-maps-to-ano#job38': ['screen', 'anonymous-events'],
  'rudderstack/router/14-v2-ipados-device-type-defaults-to-ios-platfo#job39': ['devices'],
  'rudderstack/router/15-v2-group-with-add-relationships-action-build#job40': ['group-objects'],
  'rudderstack/router/16-v2-group-with-delete-relationships-action-bu#job41': ['group-objects'],
  'rudderstack/router/17-v2-group-event-uses-eu-endpoint-when-datacen#job42': ['group-objects'],
  'rudderstack/router/19-v2-alias-maps-to-person-merge-action-with-pr#job44': ['alias-merge'],
  'rudderstack/router/20-v2-numeric-userid-anonymousid-previousid-gro#job46': ['anonymous-events'],
  'rudderstack/router/20-v2-numeric-userid-anonymousid-previousid-gro#job47': ['alias-merge'],
  'rudderstack/router/20-v2-numeric-userid-anonymousid-previousid-gro#job48': ['group-objects'],
};
