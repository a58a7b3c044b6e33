export const REGIONS = ['us', 'eu'] as const;
export type Region = (typeof REGIONS)[number];

const DEFAULT_TRACK_BASE_URLS: Record<Region, string> = {
  us: 'https://track.customer.io',
  eu: 'https://track-eu.customer.io',
};

export type TrackBaseUrls = Record<Region, string>;

/** The only place a region becomes a host. Overrides come from operator config (and tests), never from the API. */
export function trackBaseUrls(overrides: Partial<TrackBaseUrls> = {}): TrackBaseUrls {
  return {
    us: stripSlash(overrides.us ?? DEFAULT_TRACK_BASE_URLS.us),
    eu: stripSlash(overrides.eu ?? DEFAULT_TRACK_BASE_URLS.eu),
  };
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
