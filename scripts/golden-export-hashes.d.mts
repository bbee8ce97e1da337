// Types for scripts/golden-export-hashes.mjs (imported by test/writers-golden.test.ts).
export const GOLDEN_HASHES: string;
export const GOLDEN_READ_RECORDS: string;
export const SYNTHETIC_COUNT: number;
export const SYNTHETIC_SEED: number;
export interface GoldenWriters {
  toOaiDc(record: unknown, options?: unknown): string;
  toJats(record: unknown, options?: unknown): string;
  toCrossref(records: unknown[], options: unknown): string;
}
export interface GoldenInputs {
  named: [string, unknown][];
  synthetic: unknown[];
}
export interface Golden {
  named: Record<string, Record<string, string>>;
  synthetic: Record<string, { all: string; records: string } | string[]>;
  crossrefNamedBatch: string;
}
export function goldenHead(batchId: string): unknown;
export function computeGolden(writers: GoldenWriters, inputs: GoldenInputs): Golden;
export function goldenInputs(
  model: { validateArticle(value: unknown): { ok: boolean; record?: unknown }; generateSyntheticRecords(count: number, seed?: number): unknown[] },
  readRecords: Record<string, unknown>,
): GoldenInputs;
