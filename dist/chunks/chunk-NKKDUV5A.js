import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);

// src/requirements/catalog.ts
var LEVELS = ["MUST", "SHOULD"];
var CATEGORIES = [
  "accelerators",
  "networking",
  "schedulingOrchestration",
  "observability",
  "security",
  "operator"
];
var CONFORMANCE_VERSIONS = ["1.33", "1.34", "1.35", "1.36"];
var REQUIREMENT_TITLES = {
  dra_support: "Dynamic Resource Allocation",
  driver_runtime_management: "Driver and runtime management",
  gpu_sharing: "GPU sharing",
  virtualized_accelerator: "Virtualized accelerators",
  ai_inference: "Gateway API inference routing",
  advanced_inference_ingress: "Advanced inference ingress",
  high_performance_networking: "High-performance networking",
  disaggregated_inference: "Disaggregated inference",
  gang_scheduling: "Gang scheduling",
  cluster_autoscaling: "Cluster autoscaling",
  pod_autoscaling: "Pod autoscaling",
  accelerator_metrics: "Accelerator metrics",
  ai_service_metrics: "AI service metrics",
  secure_accelerator_access: "Secure accelerator access",
  robust_controller: "Robust AI operator"
};
var r = (id, category, level) => ({ id, category, level });
var V133 = [
  r("dra_support", "accelerators", "SHOULD"),
  r("ai_inference", "networking", "MUST"),
  r("gang_scheduling", "schedulingOrchestration", "MUST"),
  r("cluster_autoscaling", "schedulingOrchestration", "MUST"),
  r("pod_autoscaling", "schedulingOrchestration", "MUST"),
  r("accelerator_metrics", "observability", "MUST"),
  r("ai_service_metrics", "observability", "MUST"),
  r("secure_accelerator_access", "security", "MUST"),
  r("robust_controller", "operator", "MUST")
];
var V134 = V133.map(
  (req) => req.id === "dra_support" ? { ...req, level: "MUST" } : { ...req }
);
var V135 = [
  r("dra_support", "accelerators", "MUST"),
  r("driver_runtime_management", "accelerators", "SHOULD"),
  r("gpu_sharing", "accelerators", "SHOULD"),
  r("virtualized_accelerator", "accelerators", "SHOULD"),
  ...V134.filter((req) => req.category !== "accelerators").map((req) => ({ ...req }))
];
var V136 = [
  r("driver_runtime_management", "accelerators", "SHOULD"),
  r("gpu_sharing", "accelerators", "SHOULD"),
  r("virtualized_accelerator", "accelerators", "SHOULD"),
  r("ai_inference", "networking", "MUST"),
  r("advanced_inference_ingress", "networking", "SHOULD"),
  r("high_performance_networking", "networking", "SHOULD"),
  r("disaggregated_inference", "networking", "SHOULD"),
  ...V135.filter((req) => !["accelerators", "networking"].includes(req.category)).map((req) => ({
    ...req
  }))
];
var CATALOG = {
  "1.33": V133,
  "1.34": V134,
  "1.35": V135,
  "1.36": V136
};
function isConformanceVersion(value) {
  return CONFORMANCE_VERSIONS.includes(value);
}
function parseConformanceVersion(value, what = "conformance version") {
  const minor = value.trim().replace(/^v/, "");
  if (!isConformanceVersion(minor)) {
    throw new Error(
      `${what} "${value}" is not one kaic knows; known: ${CONFORMANCE_VERSIONS.join(", ")} (for a newer one, pass its official checklist with --checklist)`
    );
  }
  return minor;
}
function requirementsFor(version) {
  return CATALOG[version].map((req) => ({ ...req }));
}
function requirementTitle(id) {
  return REQUIREMENT_TITLES[id] ?? id;
}

export {
  LEVELS,
  CATEGORIES,
  CONFORMANCE_VERSIONS,
  isConformanceVersion,
  parseConformanceVersion,
  requirementsFor,
  requirementTitle
};
