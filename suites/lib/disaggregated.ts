/**
 * disaggregated_inference's decision on one traced request, as pure logic (unit-tested): where its
 * request id showed up in the prefill and the decode pods' logs.
 */

/** Which pods (namespace/name) logged the request id, per role. */
export interface TraceHits {
  prefill: readonly string[];
  decode: readonly string[];
}

export type TraceDecision =
  | { outcome: 'traced'; prefillPod: string; decodePod: string }
  | { outcome: 'unproven'; reason: string };

/**
 * Proven when a prefill pod and a different decode pod both logged the request's id. Anything
 * else proves nothing either way (a stack may simply not log request ids), so it is unproven,
 * naming where the id was and was not seen.
 */
export function decideTrace(requestId: string, hits: TraceHits): TraceDecision {
  for (const prefillPod of hits.prefill) {
    const decodePod = hits.decode.find((d) => d !== prefillPod);
    if (decodePod) return { outcome: 'traced', prefillPod, decodePod };
  }
  const seen = (pods: readonly string[]) => (pods.length ? pods.join(', ') : 'no pod');
  return {
    outcome: 'unproven',
    reason:
      `request id ${requestId} logged by prefill: ${seen(hits.prefill)}; decode: ${seen(hits.decode)}` +
      (hits.prefill.length && hits.decode.length ? ' (the same pod in both roles)' : '') +
      '; one request cannot be traced through both roles: the serving stack must log the ' +
      "x-request-id header it is given (vLLM: --enable-request-id-headers) in each role's pods",
  };
}

/** The first model id of an OpenAI-compatible `/v1/models` answer, or null. */
export function firstModel(modelsJson: string): string | null {
  try {
    const parsed = JSON.parse(modelsJson) as { data?: Array<{ id?: unknown }> };
    const id = parsed.data?.[0]?.id;
    return typeof id === 'string' && id ? id : null;
  } catch {
    return null;
  }
}
