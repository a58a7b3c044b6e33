import { z } from 'zod';
import { listOf, optionalParam, PageQuery, plainText } from './common';

export const AuditLogQuery = PageQuery.extend({
  action: optionalParam(plainText(64).describe('e.g. integration.updated, token.revoked')),
  resource_id: optionalParam(plainText(1_000).describe('An integration, token or delivery id')),
}).describe('Filters and page of the audit log');

export const AuditEntry = z
  .object({
    id: z.string(),
    action: z.string(),
    actor: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
    resource_type: z.string(),
    resource_id: z.string().nullable(),
    changes: z.record(z.string(), z.unknown()).nullable().describe('Old and new values; secrets redacted'),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    timestamp: z.string(),
  })
  .meta({ id: 'AuditEntry', description: 'Who did what to which resource, when, from where' });

export const AuditLog = listOf(AuditEntry).meta({ id: 'AuditLog' });
