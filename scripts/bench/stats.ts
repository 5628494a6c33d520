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

/** A ratio measured in interleaved rounds: the median of the per-round ratios, and their spread. */
export interface RoundRatio {
  ratio: number;
  min: number;
  max: number;
  rounds: number[];
}

export function roundRatio(rounds: number[]): RoundRatio {
  const sorted = [...rounds].sort((a, b) => a - b);
  return { ratio: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, rounds };
}

export const formatRatio = (ratio: RoundRatio) => `${ratio.ratio.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}, ${ratio.rounds.length} rounds)`;

export interface TimedCase<T> {
  inputs: readonly T[];
  fn: (input: T) => unknown;
}

/**
 * Case against baseline in interleaved rounds, so that load from elsewhere weighs on both alike: the inputs
 * split into `rounds` chunks; in each round the baseline and the case time the same chunk back to back
 * (which goes first alternates), and the round's ratio is the case's median over the baseline's. Returns the
 * case's and the baseline's distributions over every sample, and the ratio.
 */
export async function interleaved<A, B>(rounds: number, baseline: TimedCase<A>, measured: TimedCase<B>): Promise<{ baseline: Distribution; measured: Distribution; ratio: RoundRatio }> {
  const size = Math.max(1, Math.floor(Math.min(baseline.inputs.length, measured.inputs.length) / rounds));
  const all = { baseline: [] as number[], measured: [] as number[] };
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const slice = <T>(inputs: readonly T[]) => inputs.slice(round * size, (round + 1) * size);
    const timeBaseline = async () => timeEach(slice(baseline.inputs), baseline.fn, 200);
    const timeMeasured = async () => timeEach(slice(measured.inputs), measured.fn, 200);
    let base: Float64Array;
    let measuredSamples: Float64Array;
    if (round % 2 === 0) {
      base = await timeBaseline();
      measuredSamples = await timeMeasured();
    } else {
      measuredSamples = await timeMeasured();
      base = await timeBaseline();
    }
    ratios.push(distribution(measuredSamples).medianNs / Math.max(1, distribution(base).medianNs));
    all.baseline.push(...base);
    all.measured.push(...measuredSamples);
  }
  return { baseline: distribution(all.baseline), measured: distribution(all.measured), ratio: roundRatio(ratios) };
}
