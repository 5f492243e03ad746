// parse-prometheus-text-format ships no types.
declare module 'parse-prometheus-text-format' {
  export interface ParsedMetric {
    labels?: Record<string, string>;
    /** Gauges, counters and untyped samples. */
    value?: string;
    /** Histograms and summaries. */
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  export interface ParsedFamily {
    name: string;
    help?: string;
    type: string;
    metrics: ParsedMetric[];
  }
  export default function parse(text: string): ParsedFamily[];
}
