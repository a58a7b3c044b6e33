import type { MappingOptions } from '../shared/delivery';

/** The mapping's defaults, which are the peers' (Segment's event-name presets, Customer.io's default object type). */
export const DEFAULT_MAPPING_OPTIONS: Readonly<MappingOptions> = {
  convertTimestamps: true,
  objectTypeId: '1',
  anonymousEvents: false,
  deviceEvents: ['Application Installed', 'Application Opened', 'Device Created or Updated'],
  deviceDeleteEvents: ['Application Uninstalled', 'Device Deleted'],
  deletePersonEvents: ['User Deleted'],
  suppressPersonEvents: ['User Suppressed'],
  unsuppressPersonEvents: ['User Unsuppressed'],
};
