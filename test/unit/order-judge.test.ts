import { request } from 'undici';
import { FakeCustomerIo } from '../support/fake-customerio';
import { type Arrival, arrivalsAt, judgeOrder, orderRequestKey, personEvents } from '../support/order-judge';

const at = (person: string, seq: number, status = 200, method = 'POST'): Arrival => ({
  at: 0,
  method,
  person,
  seq: method === 'DELETE' ? Number.POSITIVE_INFINITY : seq,
  status,
});

describe('the order judge (issue 16)', () => {
  it('counts what Customer.io saw: 2xx answers only, in arrival order', () => {
    const arrivals = [
      at('a', 0, 200, 'PUT'),
      at('a', 2),
      at('a', 1), // inversion for a
      at('a', 3, 200, 'DELETE'),
      at('b', 1, 500), // a 500 changed nothing at Customer.io
      at('b', 0, 200, 'PUT'),
      at('b', 1),
      at('b', 3, 200, 'DELETE'),
      at('b', 2), // lands after b's deletion: inversion and an undone deletion
      at('c', 0, 200, 'PUT'),
      at('c', 1),
      at('c', 3, 200, 'DELETE'),
      at('c', 2, 500), // refused after the deletion: nothing undone
      at('d', 0, 200, 'PUT'),
      at('d', 1),
      at('d', 1), // a repeat (a lost worker's attempt made again) is no inversion
      at('d', 3, 200, 'DELETE'),
      at('d', 3, 200, 'DELETE'), // nor is a repeated deletion an undone one
    ];
    expect(judgeOrder(arrivals)).toEqual({
      peopleWithInversion: 2,
      deletionsUndone: 1,
      inverted: ['a', 'b'],
      undone: ['b'],
    });
  });

  it('reads FakeCustomerIo: a seeded share answered 500, the same attempts for the same seed whatever the run tag', async () => {
    const answers = async (seed: string, tag: string) => {
      const fake = await FakeCustomerIo.start({
        credentials: [{ siteId: 's', apiKey: 'k' }],
        failShare: { share: 0.3, seed, key: orderRequestKey },
      });
      try {
        const auth = `Basic ${Buffer.from('s:k').toString('base64')}`;
        for (let i = 0; i < 200; i++) {
          const body = JSON.stringify({ name: 'Bench', data: { seq: i % 50 } });
          const res = await request(`${fake.url}/api/v1/customers/${tag}-p${i % 7}/events`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body,
          });
          await res.body.dump();
        }
        return arrivalsAt(fake.requests).map((a) => `${a.person.slice(tag.length + 1)}:${a.seq}:${a.status}`);
      } finally {
        await fake.close();
      }
    };
    const first = await answers('s1', 'run1');
    expect(await answers('s1', 'run2')).toEqual(first);
    expect(await answers('s2', 'run1')).not.toEqual(first);
    const failed = first.filter((a) => a.endsWith(':500')).length;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(90);
    expect(first).toHaveLength(200);
    expect(first[0]).toMatch(/^p0:0:(200|500)$/);
  });

  it('hands each person their identify first and `User Deleted` last', () => {
    const events = personEvents('t', 3, 8);
    expect(events.map((e) => [e.type, e.event, e.userId])).toEqual([
      ['identify', undefined, 't-p3'],
      ...Array.from({ length: 6 }, () => ['track', 'Bench', 't-p3']),
      ['track', 'User Deleted', 't-p3'],
    ]);
    expect(new Set(events.map((e) => e.messageId)).size).toBe(8);
  });
});
