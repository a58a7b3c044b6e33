import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

export const PEERS = ['segment', 'rudderstack'] as const;
export type Peer = (typeof PEERS)[number];

const Request = z.object({
  host: z.string(),
  method: z.string(),
  path: z.string(),
  body: z.unknown().optional(),
  /** RudderStack router fixtures: the body is one item of a /v2/batch request. */
  batchItem: z.boolean().optional(),
});

const Case = z.object({
  id: z.string(),
  peer: z.enum(PEERS),
  source: z.record(z.string(), z.unknown()),
  region: z.enum(['us', 'eu']),
  input: z.record(z.string(), z.unknown()),
  /** RudderStack's destination config, secrets masked as "(set)" / "(absent)". */
  peerConfig: z.record(z.string(), z.unknown()).optional(),
  /** Segment's per-action mapping settings the test overrides (e.g. convert_timestamp). */
  peerMapping: z.record(z.string(), z.unknown()).optional(),
  /** Peer deployment switches (RudderStack's v2 batching framework). */
  peerEnv: z.record(z.string(), z.unknown()).optional(),
  expected: z.discriminatedUnion('outcome', [
    z.object({ outcome: z.literal('requests'), requests: z.array(Request).min(1) }),
    z.object({ outcome: z.literal('error'), error: z.string(), statusCode: z.number().optional() }),
  ]),
});

export type PeerCase = z.infer<typeof Case>;

const File = z.object({ peer: z.enum(PEERS), cases: z.array(Case) });

const FIXTURES = resolve(__dirname, '../fixtures/peer-cases');

/** The transcribed peer test cases, checked against the shape the runner relies on. */
export function loadPeerCases(peer: Peer): PeerCase[] {
  const file = File.parse(JSON.parse(readFileSync(resolve(FIXTURES, `${peer}.json`), 'utf8')));
  for (const c of file.cases) {
    if (c.peer !== peer) throw new Error(`${c.id}: listed in ${peer}.json but attributed to ${c.peer}`);
  }
  return file.cases;
}
