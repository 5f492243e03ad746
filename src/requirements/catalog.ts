/**
 * The requirement catalog: for each AI-conformance version kaic knows, the requirement ids, their
 * checklist category and level, in checklist order. Facts from the official CNCF checklists
 * (AIConformance-<version>.yaml); the checklist files themselves are not read at run time.
 * A newer checklist is read from the user's file instead (see checklist.ts).
 */

export const LEVELS = ['MUST', 'SHOULD'] as const;
export type Level = (typeof LEVELS)[number];

export const CATEGORIES = [
  'accelerators',
  'networking',
  'schedulingOrchestration',
  'observability',
  'security',
  'operator',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const CONFORMANCE_VERSIONS = ['1.33', '1.34', '1.35', '1.36'] as const;
export type ConformanceVersion = (typeof CONFORMANCE_VERSIONS)[number];

export interface Requirement {
  id: string;
  category: string;
  level: Level;
}

/** Short human titles for tables; ids without one show the id. */
export const REQUIREMENT_TITLES: Readonly<Record<string, string>> = {
  dra_support: 'Dynamic Resource Allocation',
  driver_runtime_management: 'Driver and runtime management',
  gpu_sharing: 'GPU sharing',
  virtualized_accelerator: 'Virtualized accelerators',
  ai_inference: 'Gateway API inference routing',
  advanced_inference_ingress: 'Advanced inference ingress',
  high_performance_networking: 'High-performance networking',
  disaggregated_inference: 'Disaggregated inference',
  gang_scheduling: 'Gang scheduling',
  cluster_autoscaling: 'Cluster autoscaling',
  pod_autoscaling: 'Pod autoscaling',
  accelerator_metrics: 'Accelerator metrics',
  ai_service_metrics: 'AI service metrics',
  secure_accelerator_access: 'Secure accelerator access',
  robust_controller: 'Robust AI operator',
};

const r = (id: string, category: Category, level: Level): Requirement => ({ id, category, level });

const V133: Requirement[] = [
  r('dra_support', 'accelerators', 'SHOULD'),
  r('ai_inference', 'networking', 'MUST'),
  r('gang_scheduling', 'schedulingOrchestration', 'MUST'),
  r('cluster_autoscaling', 'schedulingOrchestration', 'MUST'),
  r('pod_autoscaling', 'schedulingOrchestration', 'MUST'),
  r('accelerator_metrics', 'observability', 'MUST'),
  r('ai_service_metrics', 'observability', 'MUST'),
  r('secure_accelerator_access', 'security', 'MUST'),
  r('robust_controller', 'operator', 'MUST'),
];

// 1.34: dra_support becomes a MUST; nothing else changes.
const V134: Requirement[] = V133.map((req) =>
  req.id === 'dra_support' ? { ...req, level: 'MUST' } : { ...req },
);

// 1.35: three accelerator SHOULDs join.
const V135: Requirement[] = [
  r('dra_support', 'accelerators', 'MUST'),
  r('driver_runtime_management', 'accelerators', 'SHOULD'),
  r('gpu_sharing', 'accelerators', 'SHOULD'),
  r('virtualized_accelerator', 'accelerators', 'SHOULD'),
  ...V134.filter((req) => req.category !== 'accelerators').map((req) => ({ ...req })),
];

// 1.36: dra_support leaves the checklist; three networking SHOULDs join.
const V136: Requirement[] = [
  r('driver_runtime_management', 'accelerators', 'SHOULD'),
  r('gpu_sharing', 'accelerators', 'SHOULD'),
  r('virtualized_accelerator', 'accelerators', 'SHOULD'),
  r('ai_inference', 'networking', 'MUST'),
  r('advanced_inference_ingress', 'networking', 'SHOULD'),
  r('high_performance_networking', 'networking', 'SHOULD'),
  r('disaggregated_inference', 'networking', 'SHOULD'),
  ...V135.filter((req) => !['accelerators', 'networking'].includes(req.category)).map((req) => ({
    ...req,
  })),
];

const CATALOG: Readonly<Record<ConformanceVersion, readonly Requirement[]>> = {
  '1.33': V133,
  '1.34': V134,
  '1.35': V135,
  '1.36': V136,
};

export function isConformanceVersion(value: string): value is ConformanceVersion {
  return (CONFORMANCE_VERSIONS as readonly string[]).includes(value);
}

/** Accepts "1.35" or "v1.35"; throws naming the known versions otherwise. */
export function parseConformanceVersion(
  value: string,
  what = 'conformance version',
): ConformanceVersion {
  const minor = value.trim().replace(/^v/, '');
  if (!isConformanceVersion(minor)) {
    throw new Error(
      `${what} "${value}" is not one kaic knows; known: ${CONFORMANCE_VERSIONS.join(', ')} ` +
        '(for a newer one, pass its official checklist with --checklist)',
    );
  }
  return minor;
}

export function requirementsFor(version: ConformanceVersion): Requirement[] {
  return CATALOG[version].map((req) => ({ ...req }));
}

export function requirementTitle(id: string): string {
  return REQUIREMENT_TITLES[id] ?? id;
}
