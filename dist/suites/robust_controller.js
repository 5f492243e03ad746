import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  createNamespace,
  deleteNamespace,
  expect,
  suiteCluster,
  suiteSettings,
  workloadImage
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import "../chunks/chunk-FCORZ63V.js";
import {
  getJson
} from "../chunks/chunk-ARFH6SL4.js";
import "../chunks/chunk-62PC7QP5.js";
import {
  WaitAborted,
  waitFor
} from "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import {
  ObjectAdmissionregistrationV1Api,
  ObjectApiextensionsV1Api,
  ObjectCustomObjectsApi
} from "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/robust_controller.ts
var budget = { devices: 0, nodeCpu: "requests", typicalSeconds: 8 };
var API = (group, version) => `${group}/${version}`;
function conditionIs(object, type) {
  return Boolean(object.status?.conditions?.some((c) => c.type === type && c.status === "True"));
}
function conditionsText(object) {
  return (object.status?.conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}`).join(", ") || "no conditions";
}
var JOB = { group: "batch", version: "v1", plural: "jobs", kind: "Job" };
var JOBSET_RESOURCE = {
  group: "jobset.x-k8s.io",
  version: "v1alpha2",
  plural: "jobsets",
  kind: "JobSet"
};
function quickJobTemplate() {
  return {
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: "Never",
          terminationGracePeriodSeconds: 0,
          // The check is the controller's, not the node's: any node will do, tainted or not.
          tolerations: [{ operator: "Exists" }],
          containers: [
            {
              name: "main",
              image: workloadImage(),
              imagePullPolicy: "IfNotPresent",
              command: ["sh", "-c", "echo kaic robust_controller"]
            }
          ]
        }
      }
    }
  };
}
var OPERATORS = [
  {
    id: "kubeflow-trainer",
    title: "Kubeflow Trainer",
    resource: {
      group: "trainer.kubeflow.org",
      version: "v1alpha1",
      plural: "trainjobs",
      kind: "TrainJob"
    },
    children: [JOBSET_RESOURCE],
    invalid: (ns) => ({
      apiVersion: API("trainer.kubeflow.org", "v1alpha1"),
      kind: "TrainJob",
      metadata: { name: "kaic-invalid", namespace: ns },
      spec: {
        runtimeRef: {
          name: "kaic-does-not-exist-runtime",
          apiGroup: "trainer.kubeflow.org",
          kind: "ClusterTrainingRuntime"
        }
      }
    }),
    invalidBecause: "its runtimeRef names a ClusterTrainingRuntime that does not exist",
    valid: (ns) => ({
      apiVersion: API("trainer.kubeflow.org", "v1alpha1"),
      kind: "TrainJob",
      metadata: { name: "kaic-valid", namespace: ns },
      spec: {
        runtimeRef: {
          name: suiteSettings().operatorRuntime,
          apiGroup: "trainer.kubeflow.org",
          kind: "ClusterTrainingRuntime"
        },
        // The runtime's own image (PyTorch, several GB) is not needed to prove reconciliation.
        trainer: {
          image: workloadImage(),
          command: ["sh", "-c", "echo kaic robust_controller"]
        }
      }
    }),
    outcome: (o) => conditionIs(o, "Complete") ? true : conditionIs(o, "Failed") ? `Failed: ${conditionsText(o)}` : void 0
  },
  {
    id: "kuberay",
    title: "KubeRay",
    resource: { group: "ray.io", version: "v1", plural: "rayclusters", kind: "RayCluster" },
    children: [{ group: "", version: "v1", plural: "pods", kind: "Pod" }],
    invalid: (ns) => ({
      apiVersion: API("ray.io", "v1"),
      kind: "RayCluster",
      metadata: { name: "kaic-invalid", namespace: ns },
      spec: {
        headGroupSpec: { rayStartParams: {}, template: rayPodTemplate("ray-head") },
        workerGroupSpecs: ["twin", "twin"].map((groupName) => ({
          groupName,
          replicas: 0,
          minReplicas: 0,
          maxReplicas: 1,
          rayStartParams: {},
          template: rayPodTemplate("ray-worker")
        }))
      }
    }),
    invalidBecause: "two worker groups share one name",
    valid: (ns) => ({
      apiVersion: API("ray.io", "v1"),
      kind: "RayCluster",
      metadata: { name: "kaic-valid", namespace: ns },
      spec: {
        headGroupSpec: { rayStartParams: {}, template: rayPodTemplate("ray-head") }
      }
    }),
    outcome: (o) => o.status?.state === "ready" ? true : void 0
  },
  {
    id: "jobset",
    title: "JobSet",
    resource: JOBSET_RESOURCE,
    children: [JOB],
    invalid: (ns) => ({
      apiVersion: API(JOBSET_RESOURCE.group, JOBSET_RESOURCE.version),
      kind: "JobSet",
      metadata: { name: "kaic-invalid", namespace: ns },
      spec: {
        replicatedJobs: [{ name: "workers", replicas: 1, template: quickJobTemplate() }],
        successPolicy: { operator: "All", targetReplicatedJobs: ["kaic-no-such-job"] }
      }
    }),
    invalidBecause: "its success policy targets a replicated job it does not have",
    valid: (ns) => ({
      apiVersion: API(JOBSET_RESOURCE.group, JOBSET_RESOURCE.version),
      kind: "JobSet",
      metadata: { name: "kaic-valid", namespace: ns },
      spec: {
        replicatedJobs: [
          { name: "leader", replicas: 1, template: quickJobTemplate() },
          { name: "workers", replicas: 2, template: quickJobTemplate() }
        ]
      }
    }),
    outcome: (o) => conditionIs(o, "Completed") ? true : conditionIs(o, "Failed") ? `Failed: ${conditionsText(o)}` : void 0
  }
];
function rayPodTemplate(name) {
  return {
    spec: {
      containers: [
        {
          name,
          image: suiteSettings().operatorImage,
          resources: { requests: { cpu: "500m", memory: "1Gi" } }
        }
      ]
    }
  };
}
function timeoutMs() {
  return suiteSettings().operatorTimeoutMs;
}
async function crdEstablished(resource) {
  const ext = suiteCluster().kc.makeApiClient(ObjectApiextensionsV1Api);
  return ext.readCustomResourceDefinition({ name: `${resource.plural}.${resource.group}` }).catch(() => null);
}
async function chooseOperator() {
  const configured = suiteSettings().aiOperator;
  if (configured) {
    const spec = OPERATORS.find((o) => o.id === configured);
    if (!spec) {
      throw new Error(
        `KAIC_AI_OPERATOR="${configured}"; accepted: ${OPERATORS.map((o) => o.id).join(", ")}`
      );
    }
    return { spec, how: "configured (KAIC_AI_OPERATOR)" };
  }
  const installed = [];
  for (const spec of OPERATORS) if (await crdEstablished(spec.resource)) installed.push(spec);
  const first = installed[0];
  if (!first) {
    throw new Error(
      `no curated AI operator is installed (looked for the CRDs ${OPERATORS.map((o) => `${o.resource.plural}.${o.resource.group} (${o.title})`).join(", ")})`
    );
  }
  return {
    spec: first,
    how: installed.length > 1 ? `first of ${installed.map((o) => o.id).join(", ")}` : "installed"
  };
}
async function validatingWebhooksFor(resource) {
  const admission = suiteCluster().kc.makeApiClient(ObjectAdmissionregistrationV1Api);
  const configs = await admission.listValidatingWebhookConfiguration();
  const covers = (values, wanted) => Boolean(values?.some((v) => v === "*" || v === wanted));
  const found = [];
  for (const config of configs.items) {
    for (const webhook of config.webhooks ?? []) {
      const matches = (webhook.rules ?? []).some(
        (rule) => covers(rule.apiGroups, resource.group) && covers(rule.resources, resource.plural) && covers(rule.operations, "CREATE")
      );
      if (matches) found.push({ configuration: config.metadata?.name ?? "?", webhook });
    }
  }
  return found;
}
async function webhookServer(found) {
  const { kc, core } = suiteCluster();
  const client = found.webhook.clientConfig;
  if (client.url) {
    return `served at ${new URL(client.url).host} (URL webhook: the server runs outside the cluster; its answers are checked below)`;
  }
  const service = client.service;
  if (!service) throw new Error(`webhook ${found.webhook.name} names neither a URL nor a Service`);
  const slices = await getJson(
    kc,
    `/apis/discovery.k8s.io/v1/namespaces/${service.namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service.name}`)}`
  );
  const endpoints = (slices.items ?? []).flatMap((s) => s.endpoints ?? []);
  const ready = endpoints.filter((e) => e.conditions?.ready !== false);
  if (ready.length === 0) {
    throw new Error(
      `webhook ${found.webhook.name}: Service ${service.namespace}/${service.name} has no ready endpoint`
    );
  }
  const pods = [];
  for (const e of ready) {
    if (e.targetRef?.kind !== "Pod" || !e.targetRef.name) continue;
    const pod = await core.readNamespacedPod({
      namespace: e.targetRef.namespace ?? service.namespace,
      name: e.targetRef.name
    });
    const podReady = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    if (!podReady)
      throw new Error(`webhook ${found.webhook.name}: pod ${e.targetRef.name} is not Ready`);
    pods.push(e.targetRef.name);
  }
  return `served by Service ${service.namespace}/${service.name} (${ready.length} ready endpoints; pods Ready: ${pods.join(", ") || "none named"})`;
}
function apiPath(resource, ns, name) {
  const base = resource.group ? `/apis/${resource.group}` : "/api";
  return `${base}/${resource.version}/namespaces/${ns}/${resource.plural}${name ? `/${name}` : ""}`;
}
function rejection(error) {
  const e = error;
  let message = e.message ?? String(error);
  if (typeof e.body === "string") {
    try {
      message = JSON.parse(e.body).message ?? e.body;
    } catch {
      message = e.body;
    }
  } else if (e.body && typeof e.body === "object") {
    message = e.body.message ?? message;
  }
  return { code: e.code, message };
}
describe(`${requirementTag("robust_controller", "MUST")} Robust AI operator`, function() {
  this.timeout(9e5);
  let ns = "";
  let chosen = null;
  let reconciled = null;
  after(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
  });
  function operator() {
    chosen ??= chooseOperator();
    return chosen;
  }
  async function namespace() {
    ns ||= await createNamespace("kaic-robust-controller");
    return ns;
  }
  it("has its CRD Established and its validating webhook registered with a CA bundle and served", async function() {
    const { spec, how } = await operator();
    const crd = await crdEstablished(spec.resource);
    const established = crd?.status?.conditions?.find((c) => c.type === "Established");
    recordEvidence(
      this,
      "observed",
      `operator ${spec.title} (${how}); CRD ${spec.resource.plural}.${spec.resource.group} Established=${established?.status ?? "absent"}`
    );
    expect(established?.status, `CRD ${spec.resource.plural}.${spec.resource.group}`).to.equal(
      "True"
    );
    const webhooks = await validatingWebhooksFor(spec.resource);
    expect(
      webhooks.map((w) => w.webhook.name),
      `validating webhooks covering CREATE of ${spec.resource.plural}.${spec.resource.group}`
    ).to.have.length.greaterThan(0);
    for (const found of webhooks) {
      const bundle = found.webhook.clientConfig.caBundle ?? "";
      expect(bundle.length, `caBundle of webhook ${found.webhook.name}`).to.be.greaterThan(0);
      recordEvidence(
        this,
        "observed",
        `webhook ${found.webhook.name} in ${found.configuration}: CA bundle ${bundle.length} bytes (base64), failurePolicy ${found.webhook.failurePolicy ?? "Fail"}; ${await webhookServer(found)}`
      );
    }
  });
  it("denies an invalid object by its validating webhook (a schema or RBAC rejection does not count)", async function() {
    const { spec } = await operator();
    const webhooks = (await validatingWebhooksFor(spec.resource)).map((w) => w.webhook.name);
    const namespaceName = await namespace();
    const body = spec.invalid(namespaceName);
    const name = body.metadata.name;
    let accepted = false;
    try {
      await suiteCluster().kc.makeApiClient(ObjectCustomObjectsApi).createNamespacedCustomObject({
        group: spec.resource.group,
        version: spec.resource.version,
        namespace: namespaceName,
        plural: spec.resource.plural,
        body
      });
      accepted = true;
    } catch (error) {
      const { code, message } = rejection(error);
      recordEvidence(
        this,
        "observed",
        `invalid ${spec.resource.kind} (${spec.invalidBecause}) rejected with ${code ?? "?"}: ${message}`
      );
      expect(
        /admission webhook/.test(message) && /denied the request/.test(message),
        `the rejection must come from an admission webhook ("admission webhook \u2026 denied the request"), got: ${message}`
      ).to.equal(true);
      expect(
        webhooks.some((w) => message.includes(`"${w}"`)),
        `the denying webhook must be the operator's (${webhooks.join(", ") || "none registered"}), got: ${message}`
      ).to.equal(true);
    }
    if (accepted) {
      await suiteCluster().kc.makeApiClient(ObjectCustomObjectsApi).deleteNamespacedCustomObject({
        group: spec.resource.group,
        version: spec.resource.version,
        namespace: namespaceName,
        plural: spec.resource.plural,
        name
      }).catch(() => void 0);
      expect.fail(
        `the invalid ${spec.resource.kind} (${spec.invalidBecause}) was accepted: no webhook denied it`
      );
    }
  });
  async function reconcile(ctx) {
    const { spec } = await operator();
    const namespaceName = await namespace();
    const body = spec.valid(namespaceName);
    const name = body.metadata.name;
    const custom = suiteCluster().kc.makeApiClient(ObjectCustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: spec.resource.group,
      version: spec.resource.version,
      namespace: namespaceName,
      plural: spec.resource.plural,
      body
    });
    const started = Date.now();
    const read = async () => await custom.getNamespacedCustomObject({
      group: spec.resource.group,
      version: spec.resource.version,
      namespace: namespaceName,
      plural: spec.resource.plural,
      name
    });
    const done = await waitFor(
      `${spec.resource.kind} ${name} to reach its success condition`,
      async () => {
        const object = await read();
        const outcome = spec.outcome(object);
        if (typeof outcome === "string")
          throw new WaitAborted(`${spec.resource.kind} ${name} ${outcome}`);
        return outcome ? object : void 0;
      },
      timeoutMs()
    ).catch(async (error) => {
      const object = await read().catch(() => null);
      throw new Error(`${error.message}; status: ${JSON.stringify(object?.status ?? null)}`);
    });
    recordEvidence(
      ctx,
      "observed",
      `valid ${spec.resource.kind} ${name} reconciled in ${((Date.now() - started) / 1e3).toFixed(1)} s: ${conditionsText(done)}`
    );
    return done;
  }
  async function childrenOf(spec, uid) {
    const names = [];
    for (const child of spec.children) {
      const list = await getJson(suiteCluster().kc, apiPath(child, ns));
      for (const item of list.items ?? []) {
        if (item.metadata?.ownerReferences?.some((o) => o.uid === uid)) {
          names.push(`${child.kind}/${item.metadata.name}`);
        }
      }
    }
    return names;
  }
  it("reconciles a valid object to its success condition, creating its children", async function() {
    const { spec } = await operator();
    reconciled ??= reconcile(this);
    const object = await reconciled;
    const children = await childrenOf(spec, object.metadata?.uid);
    recordEvidence(this, "observed", `children: ${children.join(", ") || "none"}`);
    expect(
      children,
      `children of ${spec.resource.kind} ${object.metadata?.name}`
    ).to.have.length.greaterThan(0);
  });
  it("removes the children when the object is deleted", async function() {
    const { spec } = await operator();
    reconciled ??= reconcile(this);
    const object = await reconciled;
    const uid = object.metadata?.uid;
    const name = object.metadata?.name;
    const before = await childrenOf(spec, uid);
    expect(
      before,
      `children of ${spec.resource.kind} ${name} before deletion`
    ).to.have.length.greaterThan(0);
    const started = Date.now();
    await suiteCluster().kc.makeApiClient(ObjectCustomObjectsApi).deleteNamespacedCustomObject({
      group: spec.resource.group,
      version: spec.resource.version,
      namespace: ns,
      plural: spec.resource.plural,
      name
    });
    await waitFor(
      `the children of ${spec.resource.kind} ${name} (${before.join(", ")}) to be deleted`,
      async () => (await childrenOf(spec, uid)).length === 0 ? true : void 0,
      timeoutMs()
    );
    recordEvidence(
      this,
      "observed",
      `deleted ${spec.resource.kind} ${name}; its ${before.length} children (${before.join(", ")}) gone in ${((Date.now() - started) / 1e3).toFixed(1)} s`
    );
  });
});
export {
  OPERATORS,
  budget
};
