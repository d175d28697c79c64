/**
 * Streaming latency percentiles with bounded memory: a fixed-bucket log-linear histogram
 * (16 linear sub-buckets per power of two) and a per-flow summary built from it.
 */
import type { PacketFate, PacketVerdict } from './fate';

const SUB_BITS = 4;
const SUB = 1 << SUB_BITS; // 16 sub-buckets per power of two
const TOP_EXPONENT = 48; // values from 2^48 ticks (~326 days) share the last bucket
const BUCKETS = SUB + (TOP_EXPONENT - SUB_BITS) * SUB;

function bucketOf(v: number): number {
  if (v < SUB) return v;
  if (v < 4294967296) {
    // 32-bit fast path: the exponent from clz32, the sub-bucket from a shift
    const e32 = 31 - Math.clz32(v);
    const shift32 = e32 - SUB_BITS;
    return SUB + shift32 * SUB + ((v >>> shift32) - SUB);
  }
  let e = Math.floor(Math.log2(v));
  if (2 ** e > v) e--;
  else if (2 ** (e + 1) <= v) e++;
  if (e >= TOP_EXPONENT) return BUCKETS - 1;
  const shift = e - SUB_BITS;
  const s = Math.floor(v / 2 ** shift) - SUB;
  return SUB + shift * SUB + s;
}

/** Representative value of a bucket: its exact value below 16 ticks, else the middle of its range. */
function bucketValue(index: number): number {
  if (index < SUB) return index;
  const shift = Math.floor((index - SUB) / SUB);
  const s = (index - SUB) % SUB;
  const width = 2 ** shift;
  return (SUB + s) * width + (width - 1) / 2;
}

/** A latency distribution in microseconds (percentiles read from a {@link LatencyHistogram}). */
export interface LatencyStats {
  /** Values recorded. */
  count: number;
  /** Smallest value (exact). */
  minUs: number;
  /** Largest value (exact). */
  maxUs: number;
  /** Mean (exact). */
  meanUs: number;
  /** Median (within about 3 % of the true value). */
  p50Us: number;
  /** 90th percentile (within about 3 %). */
  p90Us: number;
  /** 99th percentile (within about 3 %). */
  p99Us: number;
}

/**
 * A histogram of non-negative durations in 100 ns ticks with fixed memory (720 buckets,
 * about 6 KB): values below 16 ticks are kept exactly, larger ones in 16 linear sub-buckets
 * per power of two, so a percentile is within about 3 % of the true value; min, max and
 * mean are exact. Values from 2^48 ticks (about 326 days) share the last bucket.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from '@wfpkit/tagging';
 * const h = new LatencyHistogram();
 * for (const ticks of [120n, 150n, 9_000n]) h.record(ticks);
 * h.percentileUs(50); // ≈ 15
 * h.stats()?.p99Us; // ≈ 900
 * ```
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private n = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  /**
   * Values recorded.
   *
   * @example
   * ```ts
   * if (histogram.count === 0) console.log('no samples yet');
   * ```
   */
  get count(): number {
    return this.n;
  }

  /**
   * Records one duration.
   *
   * @param ticks - 100 ns units, non-negative (a fractional number is rounded down).
   * @throws RangeError for a negative or non-finite value.
   * @example
   * ```ts
   * histogram.record(fate.inStackLatency ?? 0n);
   * ```
   */
  record(ticks: bigint | number): void {
    const v = typeof ticks === 'bigint' ? Number(ticks) : Math.floor(ticks);
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`LatencyHistogram.record: expected a non-negative duration in ticks, got ${String(ticks)}`);
    const index = bucketOf(v);
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /**
   * The `p`-th percentile (nearest rank) in ticks, or `undefined` when nothing was recorded.
   *
   * @param p - Percentile in 0..100 (0 gives the minimum, 100 the maximum).
   * @throws RangeError when `p` is outside 0..100.
   * @example
   * ```ts
   * const p99Ticks = histogram.percentileTicks(99);
   * ```
   */
  percentileTicks(p: number): number | undefined {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`);
    if (this.n === 0) return undefined;
    if (p === 0) return this.min;
    if (p === 100) return this.max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketValue(i)));
    }
    return this.max;
  }

  /**
   * The `p`-th percentile in microseconds, or `undefined` when nothing was recorded.
   *
   * @param p - Percentile in 0..100.
   * @example
   * ```ts
   * console.log(`p50 ${histogram.percentileUs(50)} µs`);
   * ```
   */
  percentileUs(p: number): number | undefined {
    const t = this.percentileTicks(p);
    return t === undefined ? undefined : t / 10;
  }

  /**
   * Count, min, max, mean, p50, p90 and p99 in microseconds, or `undefined` when empty.
   *
   * @example
   * ```ts
   * const s = histogram.stats();
   * if (s) console.log(`p50 ${s.p50Us} µs, p99 ${s.p99Us} µs over ${s.count}`);
   * ```
   */
  stats(): LatencyStats | undefined {
    if (this.n === 0) return undefined;
    return {
      count: this.n,
      minUs: this.min / 10,
      maxUs: this.max / 10,
      meanUs: this.sum / this.n / 10,
      p50Us: (this.percentileTicks(50) ?? 0) / 10,
      p90Us: (this.percentileTicks(90) ?? 0) / 10,
      p99Us: (this.percentileTicks(99) ?? 0) / 10,
    };
  }

  /**
   * Adds every value `other` recorded to this histogram (`other` is unchanged): afterwards this
   * histogram answers as if it had recorded both series, e.g. the latency over several
   * sessions from each session's own histogram (percentiles of different series do not add up;
   * their buckets do).
   *
   * @param other - another histogram (merging one into itself doubles every count).
   * @returns this histogram
   * @example
   * ```ts
   * const all = new LatencyHistogram();
   * for (const h of perSessionHistograms) all.merge(h);
   * console.log(all.stats()?.p99Us);
   * ```
   */
  merge(other: LatencyHistogram): this {
    if (other.n === 0) return this;
    const counts = other.counts;
    for (let i = 0; i < BUCKETS; i++) {
      const c = counts[i] ?? 0;
      if (c !== 0) this.counts[i] = (this.counts[i] ?? 0) + c;
    }
    this.n += other.n;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  /**
   * Forgets every value.
   *
   * @example
   * ```ts
   * histogram.reset(); // start a new reporting interval
   * ```
   */
  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}

/** Options of a {@link LatencySummary}. */
export interface LatencySummaryOptions {
  /** Most flows with their own histogram (about 6 KB each); the least recently updated is dropped first. Default 1024. */
  maxFlows?: number;
  /** Verdicts whose in-stack latency is recorded. Default `['sent', 'delivered']`. */
  verdicts?: readonly PacketVerdict[];
}

/** The latency of one flow, as {@link LatencySummary.flows} lists it. */
export interface FlowLatency {
  /** The flow. */
  flowId: bigint;
  /** Its distribution. */
  stats: LatencyStats;
}

/**
 * In-stack latency percentiles overall and per flow, fed with fate records; memory is
 * bounded (one {@link LatencyHistogram} overall plus at most `maxFlows`).
 *
 * @example
 * ```ts
 * import { LatencySummary, PacketFateTracker } from '@wfpkit/tagging';
 * const latency = new LatencySummary();
 * const tracker = new PacketFateTracker({ onFate: (fate) => latency.add(fate) });
 * // … push records …
 * const all = latency.overall();
 * if (all) console.log(`p50 ${all.p50Us} µs  p99 ${all.p99Us} µs`);
 * ```
 */
export class LatencySummary {
  private readonly all = new LatencyHistogram();
  private readonly perFlow = new Map<bigint, LatencyHistogram>();
  private readonly maxFlows: number;
  private readonly verdicts: ReadonlySet<PacketVerdict>;
  private dropped = 0;
  private lastFlow: { id: bigint; h: LatencyHistogram } | undefined;
  /** Histograms of removed flows, reset, for new flows (each is ~6 KB: reusing them spares the GC). */
  private readonly spare: LatencyHistogram[] = [];

  /**
   * @param options - Flow cap and the verdicts to record.
   * @throws RangeError when `maxFlows` is not a non-negative integer.
   * @example
   * ```ts
   * import { LatencySummary } from '@wfpkit/tagging';
   * const latency = new LatencySummary({ maxFlows: 256, verdicts: ['sent'] });
   * ```
   */
  constructor(options: LatencySummaryOptions = {}) {
    const maxFlows = options.maxFlows ?? 1024;
    if (!Number.isInteger(maxFlows) || maxFlows < 0) throw new RangeError(`maxFlows must be a non-negative integer, got ${maxFlows}`);
    this.maxFlows = maxFlows;
    this.verdicts = new Set(options.verdicts ?? ['sent', 'delivered']);
  }

  /**
   * Flows with a histogram now.
   *
   * @example
   * ```ts
   * console.log(`${latency.flowCount} flows`);
   * ```
   */
  get flowCount(): number {
    return this.perFlow.size;
  }

  /**
   * Flow histograms dropped to stay within `maxFlows`.
   *
   * @example
   * ```ts
   * if (latency.droppedFlows > 0) console.log('per-flow latency is partial');
   * ```
   */
  get droppedFlows(): number {
    return this.dropped;
  }

  /**
   * Records a fate's in-stack latency when its verdict is one of the configured verdicts
   * and it has a latency.
   *
   * @param fate - A fate record from a {@link PacketFateTracker}.
   * @returns Whether it was recorded.
   * @example
   * ```ts
   * const tracker = new PacketFateTracker({ onFate: (fate) => latency.add(fate) });
   * ```
   */
  add(fate: PacketFate): boolean {
    if (fate.inStackLatency === undefined || !this.verdicts.has(fate.verdict)) return false;
    this.all.record(fate.inStackLatency);
    if (this.maxFlows === 0) return true;
    // Consecutive fates are mostly of one flow: it is the most recently updated already.
    if (this.lastFlow !== undefined && this.lastFlow.id === fate.flowId) {
      this.lastFlow.h.record(fate.inStackLatency);
      return true;
    }
    let h = this.perFlow.get(fate.flowId);
    if (h === undefined) {
      while (this.perFlow.size >= this.maxFlows) {
        const oldest = this.perFlow.keys().next();
        if (oldest.done === true) break;
        this.release(this.perFlow.get(oldest.value));
        this.perFlow.delete(oldest.value);
        this.dropped++;
      }
      h = this.spare.pop() ?? new LatencyHistogram();
    } else {
      this.perFlow.delete(fate.flowId); // re-insert: least recently updated first
    }
    this.perFlow.set(fate.flowId, h);
    this.lastFlow = { id: fate.flowId, h };
    h.record(fate.inStackLatency);
    return true;
  }

  /**
   * The distribution over every recorded fate, or `undefined` when none was recorded.
   *
   * @example
   * ```ts
   * console.log(latency.overall()?.p99Us);
   * ```
   */
  overall(): LatencyStats | undefined {
    return this.all.stats();
  }

  /**
   * One flow's distribution, or `undefined` when it has none (never recorded, removed or dropped).
   *
   * @param flowId - The flow.
   * @example
   * ```ts
   * console.log(latency.flow(fate.flowId)?.p50Us);
   * ```
   */
  flow(flowId: bigint): LatencyStats | undefined {
    return this.perFlow.get(flowId)?.stats();
  }

  /**
   * Every flow's distribution, least recently updated first.
   *
   * @example
   * ```ts
   * for (const { flowId, stats } of latency.flows()) console.log(flowId, stats.p99Us);
   * ```
   */
  flows(): FlowLatency[] {
    const out: FlowLatency[] = [];
    for (const [flowId, h] of this.perFlow) {
      const stats = h.stats();
      if (stats !== undefined) out.push({ flowId, stats });
    }
    return out;
  }

  /**
   * Forgets a flow's histogram (for example when its final flow record was shown).
   *
   * @param flowId - The flow.
   * @example
   * ```ts
   * const flows = new FlowTracker({ onFlow: (flow) => latency.removeFlow(flow.flowId) });
   * ```
   */
  removeFlow(flowId: bigint): void {
    this.release(this.perFlow.get(flowId));
    this.perFlow.delete(flowId);
    if (this.lastFlow?.id === flowId) this.lastFlow = undefined;
  }

  private release(h: LatencyHistogram | undefined): void {
    if (h === undefined || this.spare.length >= 64) return;
    h.reset();
    this.spare.push(h);
  }
}
