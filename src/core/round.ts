/** `x` to three decimals: the precision decision records, calibrations and fold scores are reported in. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
