import type { TrackCredentials } from '../config';
import { statusOf } from '../exchange';
import { outcomeOf } from '../outcomes';
import { type Region, REGIONS, type TrackBaseUrls } from '../regions';
import type { TrackTransport } from './transport';

export type CredentialCheck =
  | { ok: true; region: Region }
  | { ok: false; reason: 'rejected'; status: number }
  | { ok: false; reason: 'region_mismatch'; accountRegion: Region }
  | { ok: false; reason: 'unreachable'; detail: string };

/**
 * Asks Customer.io which region the account lives in (GET /api/v1/accounts/region, Track credentials): a cheap check
 * that the Site ID and key work and that the configured region is the account's.
 */
export async function verifyTrackCredentials(
  transport: TrackTransport,
  baseUrls: TrackBaseUrls,
  credentials: TrackCredentials,
): Promise<CredentialCheck> {
  const exchange = await transport.send(
    { baseUrl: baseUrls[credentials.region], siteId: credentials.siteId, trackingApiKey: credentials.trackingApiKey },
    { method: 'GET', path: '/api/v1/accounts/region' },
  );
  const status = statusOf(exchange);
  switch (outcomeOf(status).credentials) {
    case 'rejected':
      return { ok: false, reason: 'rejected', status: status! };
    case 'unreachable':
      return {
        ok: false,
        reason: 'unreachable',
        detail:
          status === undefined
            ? `${exchange.error?.code ?? 'no response'} calling ${exchange.url}`
            : `HTTP ${status} from ${exchange.url}`,
      };
    case 'accepted':
      break;
  }
  let accountRegion: unknown;
  try {
    accountRegion = (JSON.parse(exchange.responseExcerpt ?? '{}') as { region?: unknown }).region;
  } catch {
    return { ok: false, reason: 'unreachable', detail: `unreadable answer from ${exchange.url}` };
  }
  const region = REGIONS.find((r) => r === accountRegion);
  if (region) {
    return region === credentials.region
      ? { ok: true, region }
      : { ok: false, reason: 'region_mismatch', accountRegion: region };
  }
  return { ok: false, reason: 'unreachable', detail: `unexpected answer from ${exchange.url}` };
}
