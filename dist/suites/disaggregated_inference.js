import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  expect,
  suiteCluster,
  suiteSettings
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import "../chunks/chunk-FCORZ63V.js";
import {
  getJson
} from "../chunks/chunk-ARFH6SL4.js";
import "../chunks/chunk-62PC7QP5.js";
import "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/disaggregated_inference.ts
var budget = { devices: 0, typicalSeconds: 2 };
function selectors() {
  const configured = suiteSettings().pdSelector;
  if (configured) {
    const [prefill, decode] = configured.split(";");
    if (!prefill || !decode) {
      throw new Error(
        `KAIC_PD_SELECTOR="${configured}"; give <prefill label selector>;<decode label selector>`
      );
    }
    return { prefill, decode, how: "configured (KAIC_PD_SELECTOR)" };
  }
  return { prefill: "llm-d.ai/role=prefill", decode: "llm-d.ai/role=decode", how: "llm-d's roles" };
}
function ready(pod) {
  return Boolean(pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
}
describe(`${requirementTag("disaggregated_inference", "SHOULD")} Disaggregated inference`, function() {
  this.timeout(12e4);
  it("serves prefill and decode from separate Ready pods", async function() {
    const { kc, core } = suiteCluster();
    const { prefill, decode, how } = selectors();
    const [prefillPods, decodePods] = await Promise.all(
      [prefill, decode].map(
        async (labelSelector) => (await core.listPodForAllNamespaces({ labelSelector })).items
      )
    );
    const dynamo = await getJson(kc, "/apis/nvidia.com/v1alpha1").then(
      (r) => (r.resources ?? []).some(
        (x) => x.name === "dynamographdeployments"
      ),
      () => false
    );
    if (!prefillPods?.length && !decodePods?.length) {
      skipBecause(
        this,
        dynamo ? "the Dynamo API (dynamographdeployments.nvidia.com) is served but no pod carries the prefill/decode selectors: set KAIC_PD_SELECTOR" : `no disaggregated serving found (no pod matches ${prefill} or ${decode}; no Dynamo API): deploy one (e.g. llm-d with P/D) or declare N/A`
      );
    }
    const describe2 = (pods) => pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}${ready(p) ? "" : " (not Ready)"}`).join(", ") || "none";
    recordEvidence(
      this,
      "observed",
      `selectors (${how}): prefill ${prefill} \u2192 ${describe2(prefillPods ?? [])}`
    );
    recordEvidence(this, "observed", `decode ${decode} \u2192 ${describe2(decodePods ?? [])}`);
    const readyPrefill = (prefillPods ?? []).filter(ready);
    const readyDecode = (decodePods ?? []).filter(ready);
    expect(readyPrefill.length, "Ready prefill pods").to.be.greaterThan(0);
    expect(readyDecode.length, "Ready decode pods").to.be.greaterThan(0);
    const shared = readyPrefill.filter(
      (p) => readyDecode.some((d) => d.metadata?.uid === p.metadata?.uid)
    );
    expect(
      shared.map((p) => p.metadata?.name),
      "pods in both roles"
    ).to.have.length(0);
    recordEvidence(
      this,
      "observed",
      "one request traced through prefill and decode: not automated (needs the serving stack request ids); see its logs"
    );
  });
});
export {
  budget
};
