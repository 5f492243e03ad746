/** "median s (min–max)" of timings in seconds, or the one timing; "?" for none. */
export function spread(values: number[]): string {
  if (values.length === 0) return '?';
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return sorted.length === 1
    ? `${median.toFixed(1)} s`
    : `${median.toFixed(1)} s (${sorted[0]!.toFixed(1)}–${sorted[sorted.length - 1]!.toFixed(1)})`;
}
