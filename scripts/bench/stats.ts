/** Timing helpers for the benchmarks: per-call nanoseconds, median and p99. */
export interface Distribution {
  medianNs: number;
  p99Ns: number;
  meanNs: number;
}

export function distribution(samples: Float64Array | number[]): Distribution {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { medianNs: at(0.5), p99Ns: at(0.99), meanNs: sum / Math.max(1, sorted.length) };
}

/** Times `fn` once per input, in nanoseconds each (after a warm-up over the first inputs). */
export async function timeEach<T>(inputs: readonly T[], fn: (input: T) => unknown, warmup = 2_000): Promise<Float64Array> {
  for (let i = 0; i < Math.min(warmup, inputs.length); i++) await fn(inputs[i] as T);
  const samples = new Float64Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i] as T;
    const start = process.hrtime.bigint();
    await fn(input);
    samples[i] = Number(process.hrtime.bigint() - start);
  }
  return samples;
}

export const us = (ns: number) => (ns / 1000).toFixed(2);
