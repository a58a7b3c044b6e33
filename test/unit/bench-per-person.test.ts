import { request } from 'undici';
import { type Arrival, judgeOrder, OrderingFake } from '../../bench/per-person';

const at = (person: string, seq: number, status = 200, method = 'POST'): Arrival => ({
  at: 0,
  method,
  person,
  seq: method === 'DELETE' ? Number.POSITIVE_INFINITY : seq,
  status,
});

describe('the per-person order bench', () => {
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
    ];
    expect(judgeOrder(arrivals)).toEqual({ peopleWithInversion: 2, deletionsUndone: 1 });
  });

  it('answers the same attempts 500 for the same seed, whatever the run tag, near the share asked for', async () => {
    const answers = async (seed: string, tag = 'run1') => {
      const fake = await OrderingFake.start(0.3, seed);
      try {
        for (let i = 0; i < 200; i++) {
          const body = JSON.stringify({ name: 'Bench', data: { seq: i % 50 } });
          const res = await request(`${fake.url}/api/v1/customers/${tag}-p${i % 7}/events`, { method: 'POST', body });
          await res.body.dump();
        }
        return fake.arrivals.map((a) => `${a.person.slice(tag.length + 1)}:${a.seq}:${a.status}`);
      } finally {
        await fake.close();
      }
    };
    const first = await answers('s1');
    expect(await answers('s1', 'run2')).toEqual(first);
    expect(await answers('s2')).not.toEqual(first);
    const failed = first.filter((a) => a.endsWith(':500')).length;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(90);
    expect(first[0]).toMatch(/^p0:0:(200|500)$/);
  });
});
