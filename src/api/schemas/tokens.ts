import { z } from 'zod';
import { ROLES } from '../../store/access-tokens';
import { plainText } from './common';

/** Bearer secrets: admin API tokens (with a role) and pipeline keys. The secret is in the creation answer only. */

const Name = plainText(200)
  .trim()
  .min(1, 'name is required')
  .describe('A label to recognise it by, e.g. "Signal pipeline (eu-west)"');

export const CreateApiTokenBody = z
  .strictObject({ name: Name, role: z.enum(ROLES).describe('viewer reads, editor changes, admin also manages access') })
  .meta({ id: 'CreateApiToken' });

export const CreatePipelineKeyBody = z.strictObject({ name: Name }).meta({ id: 'CreatePipelineKey' });

export const TokenParams = z
  .strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not an id') })
  .describe('One token or key');

const TokenFields = {
  id: z.string(),
  name: z.string(),
  token_prefix: z.string().describe('The first characters, to recognise it by'),
  created_by: z.string().nullable(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
};

export const ApiToken = z.object({ ...TokenFields, role: z.string().nullable() }).meta({ id: 'ApiToken' });
export const PipelineKey = z.object(TokenFields).meta({ id: 'PipelineKey' });

export const IssuedApiToken = ApiToken.extend({
  token: z.string().describe('The bearer token: shown this once, never again'),
}).meta({ id: 'IssuedApiToken' });
export const IssuedPipelineKey = PipelineKey.extend({
  key: z.string().describe('The pipeline key: shown this once, never again'),
}).meta({ id: 'IssuedPipelineKey' });
