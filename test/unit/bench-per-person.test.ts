import { request } from 'undici';
import { OrderingFake } from '../../bench/per-person';

describe('the per-person order bench', () => {
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
