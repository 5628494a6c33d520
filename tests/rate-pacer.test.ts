/**
 * How `users backfill` keeps to the Management API's rate limit, on a clock of its own: it spends what the
 * bucket holds, waits as long as the bucket takes to fill again (not until the reset second, which is rounded
 * up), never past that second, and waits out a 429 until the reset.
 */
import { RatePacer } from '../scripts/users/backfill';

/** A clock that only moves when the pacer sleeps, and the sleeps it was asked for. */
function clock(start = 1_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    advance: (ms: number) => (now += ms),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

const headers = (values: Record<string, number>) => ({ get: (name: string) => (name in values ? String(values[name]) : null) });

describe('RatePacer', () => {
  it('sends at once while the last answer left room', async () => {
    const time = clock();
    const pacer = new RatePacer(time.sleep, time.now);
    pacer.observe(headers({ 'x-ratelimit-limit': 20, 'x-ratelimit-remaining': 3, 'x-ratelimit-reset': 1_001 }));
    await pacer.ready();
    expect(time.sleeps).toEqual([]);
    expect(pacer.waits).toBe(0);
  });

  it('waits, once the bucket is empty, as long as it takes to fill again from the answer that emptied it', async () => {
    // 20 a second: empty at 1,000,000 ms, full again 1 s later; the reset header says the next whole second after that.
    const time = clock(1_000_000);
    const pacer = new RatePacer(time.sleep, time.now);
    pacer.observe(headers({ 'x-ratelimit-limit': 20, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': 1_002 }));
    time.advance(300);
    await pacer.ready();
    expect(time.sleeps).toEqual([700]);
    expect(pacer.waits).toBe(1);
  });

  it('never waits past the reset the tenant announced', async () => {
    // The tenant's clock is ahead of this one (or its bucket refills faster than its limit says): it says full
    // again at 1,001,000 ms, 500 ms from now, sooner than the second the limit alone would take.
    const time = clock(1_000_500);
    const pacer = new RatePacer(time.sleep, time.now);
    pacer.observe(headers({ 'x-ratelimit-limit': 20, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': 1_001 }));
    await pacer.ready();
    expect(time.sleeps).toEqual([500]);
  });

  it('without a limit header, waits for the reset', async () => {
    const time = clock(1_000_000);
    const pacer = new RatePacer(time.sleep, time.now);
    pacer.observe(headers({ 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': 1_002 }));
    await pacer.ready();
    expect(time.sleeps).toEqual([2_000]);
  });

  it('sends a request refused with 429 again after the reset, and counts the refusal', async () => {
    const time = clock(1_000_000);
    const pacer = new RatePacer(time.sleep, time.now);
    const answers = [
      () => Promise.reject(Object.assign(new Error('Too Many Requests'), { statusCode: 429, rawResponse: { headers: headers({ 'x-ratelimit-limit': 20, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': 1_002 }) } })),
      () => Promise.resolve({ data: 'written', rawResponse: { headers: headers({ 'x-ratelimit-limit': 20, 'x-ratelimit-remaining': 19, 'x-ratelimit-reset': 1_003 }) } }),
    ];
    let calls = 0;
    const data = await pacer.send(() => (answers[calls++] ?? answers[1]!)());
    expect(data).toBe('written');
    expect(calls).toBe(2);
    expect(pacer.refusals).toBe(1);
    // Another client shares the bucket: what it holds is unknown, so the whole way to the reset.
    expect(time.sleeps).toEqual([2_000]);
  });

  it('passes any other failure to the caller', async () => {
    const time = clock();
    const pacer = new RatePacer(time.sleep, time.now);
    await expect(pacer.send(() => Promise.reject(Object.assign(new Error('Bad Request'), { statusCode: 400 })))).rejects.toThrow('Bad Request');
    expect(pacer.refusals).toBe(0);
  });
});
