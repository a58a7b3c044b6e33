import { CHAINED_START_DELAY_MS, LOCAL_ROOM_WAIT_MS, startInRequestOrder } from '../../src/client/start-in-order';
import type { ChainedBehind } from '../../src/client/start-delivery';
import type { SettledDelivery } from '../../src/customerio/delivery-input';
import { deliveryWorkflowId } from '../../src/shared/names';

const id = (messageId: string) => deliveryWorkflowId('int', messageId);

/** Just what the start order reads of a settled delivery: its run's id and its order. */
function delivery(messageId: string, waitFor: string[] = [], extra: { barrier?: boolean; waitLimitMs?: number } = {}) {
  const order = {
    key: 'person:u',
    seq: 1,
    waitFor,
    barrier: extra.barrier ?? false,
    waitLimitMs: extra.waitLimitMs ?? 1_800_000,
  };
  return {
    input: { integrationId: 'int', event: { messageId }, order },
    action: undefined,
  } as unknown as SettledDelivery;
}

describe('starting a request’s deliveries in their people’s order', () => {
  test('chained ones start first, delayed and marked waiting; one whose predecessor finished meanwhile is released; the rest start last', async () => {
    // x: from an earlier request, finished by the time the chained ones are marked; b waits for x, c for b, d for a.
    const open = new Set([id('x'), id('a'), id('b'), id('c'), id('d')]);
    const calls: string[] = [];
    const started: [string, ChainedBehind | undefined][] = [];
    const deliveries = [
      delivery('a'),
      delivery('b', [id('x')]),
      delivery('c', [id('b')]),
      delivery('d', [id('a')], { waitLimitMs: 1_000 }),
    ];
    const results = await startInRequestOrder(
      deliveries,
      async (i, behind) => {
        started.push([id(['a', 'b', 'c', 'd'][i]!), behind]);
        return i;
      },
      {
        limit: 1,
        chain: {
          orderBook: {
            async unfinished(ids) {
              calls.push(`unfinished ${ids.length}`);
              return ids.filter((x) => open.has(x)).map((workflowId) => ({ workflowId, barrier: false }));
            },
            async waiting(ids) {
              calls.push(`waiting ${[ids].flat().join(',')}`);
              open.delete(id('x')); // x finished before the mark: nothing will release b but the intake
            },
          },
          async release(workflowId) {
            calls.push(`release ${workflowId}`);
          },
        },
      },
    );
    expect(results).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([
      [id('b'), { workflowId: id('x'), barrier: false, delayMs: CHAINED_START_DELAY_MS }],
      [id('c'), { workflowId: id('b'), barrier: false, delayMs: CHAINED_START_DELAY_MS }],
      // Never delayed past order_wait_minutes, after which it may go ahead.
      [id('d'), { workflowId: id('a'), barrier: false, delayMs: 1_000 }],
      [id('a'), undefined],
    ]);
    expect(calls).toEqual([
      'unfinished 3',
      `waiting ${id('b')},${id('c')},${id('d')}`,
      'unfinished 3',
      `release ${id('b')}`,
    ]);
  });

  test('without an order book nothing is chained: all start at once, none delayed', async () => {
    const started: (ChainedBehind | undefined)[] = [];
    await startInRequestOrder(
      [delivery('a'), delivery('b', [id('a')])],
      async (_i, behind) => {
        started.push(behind);
      },
      { limit: 4 },
    );
    expect(started).toEqual([undefined, undefined]);
  });

  test('with eager starts into this process’s worker, all start at once, the ordered ones expected there; without room, chained', async () => {
    const deliveries = [delivery('a'), delivery('b', [id('a')]), delivery('c', [id('b')])];
    const expected: string[][] = [];
    let room = true;
    const local = {
      async expect(ids: string[], forMs: number, roomWithinMs?: number) {
        expect(forMs).toBe(14_000);
        // The request waits for room a while before it chains them.
        expect(roomWithinMs).toBe(LOCAL_ROOM_WAIT_MS);
        if (room) expected.push(ids);
        return room;
      },
    };
    // a waits for x, from an earlier request: a deletion, still under way.
    deliveries[0] = delivery('a', [id('x')]);
    const chain = {
      orderBook: {
        unfinished: async (ids: string[]) =>
          ids.filter((x) => x === id('x')).map((workflowId) => ({ workflowId, barrier: true })),
        waiting: async () => undefined,
      },
      release: async () => undefined,
    };
    const started: (ChainedBehind | undefined)[] = [];
    const run = () =>
      startInRequestOrder(
        deliveries,
        async (i, behind) => {
          started[i] = behind;
          return i;
        },
        { limit: 4, chain, local },
      );
    expect(await run()).toEqual([0, 1, 2]);
    expect(expected).toEqual([[id('a'), id('b'), id('c')]]);
    // At once (no delay), each listed as waiting for its predecessor, and whether that one is a deletion.
    expect(started).toEqual([
      { workflowId: id('x'), barrier: true, delayMs: 0 },
      { workflowId: id('a'), barrier: false, delayMs: 0 },
      { workflowId: id('b'), barrier: false, delayMs: 0 },
    ]);

    room = false;
    expect(await run()).toEqual([0, 1, 2]);
    expect(started.map((behind) => [behind?.workflowId, behind?.delayMs])).toEqual([
      [id('x'), CHAINED_START_DELAY_MS],
      [id('a'), CHAINED_START_DELAY_MS],
      [id('b'), CHAINED_START_DELAY_MS],
    ]);
  });

  test('with no room in the worker and no order book to chain them, every delivery still starts, undelayed', async () => {
    const deliveries = [delivery('a'), delivery('b', [id('a')])];
    const started: (ChainedBehind | undefined)[] = [];
    const results = await startInRequestOrder(
      deliveries,
      async (i, behind) => {
        started[i] = behind;
        return i;
      },
      { limit: 4, local: { expect: async () => false } },
    );
    expect(results).toEqual([0, 1]);
    expect(started).toEqual([undefined, undefined]);
  });
});
