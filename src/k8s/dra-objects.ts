/**
 * resource.k8s.io objects as plain JSON. client-node's typed serializer renames fields (an
 * attribute's `int` becomes `_int`) and drops what it does not know, so DRA objects go through the
 * untyped custom-objects client, which sends exactly what the API defines.
 */
import * as k8s from '@kubernetes/client-node';

import type { DraApiVersion } from '../versions/kubernetes.js';

const PLURALS: Record<string, string> = {
  DeviceClass: 'deviceclasses',
  ResourceSlice: 'resourceslices',
  ResourceClaim: 'resourceclaims',
  ResourceClaimTemplate: 'resourceclaimtemplates',
};

export type DraObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: k8s.V1ObjectMeta;
  [key: string]: unknown;
};

/** The HTTP status of a failed API call, or 0. */
export function httpStatus(error: unknown): number {
  return (error as { code?: number }).code ?? 0;
}

export class DraObjects {
  private readonly custom: k8s.CustomObjectsApi;

  constructor(
    kc: k8s.KubeConfig,
    readonly api: DraApiVersion,
  ) {
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  private where(kind: string) {
    const [group, version] = this.api.split('/') as [string, string];
    const plural = PLURALS[kind];
    if (!plural) throw new Error(`no plural known for ${kind}`);
    return { group, version, plural };
  }

  /** `dryRun`: the server validates, defaults and answers, but stores nothing. */
  async create(body: DraObject, options: { dryRun?: boolean } = {}): Promise<DraObject> {
    const namespace = body.metadata?.namespace;
    const at = { ...this.where(body.kind as string), ...(options.dryRun ? { dryRun: 'All' } : {}) };
    return (await (namespace
      ? this.custom.createNamespacedCustomObject({ ...at, namespace, body })
      : this.custom.createClusterCustomObject({ ...at, body }))) as DraObject;
  }

  async replace(body: DraObject): Promise<DraObject> {
    const name = body.metadata?.name as string;
    const namespace = body.metadata?.namespace;
    const at = this.where(body.kind as string);
    return (await (namespace
      ? this.custom.replaceNamespacedCustomObject({ ...at, namespace, name, body })
      : this.custom.replaceClusterCustomObject({ ...at, name, body }))) as DraObject;
  }

  async read(kind: string, name: string, namespace?: string): Promise<DraObject> {
    const at = this.where(kind);
    return (await (namespace
      ? this.custom.getNamespacedCustomObject({ ...at, namespace, name })
      : this.custom.getClusterCustomObject({ ...at, name }))) as DraObject;
  }

  async list(kind: string, labelSelector?: string, fieldSelector?: string): Promise<DraObject[]> {
    const result = (await this.custom.listClusterCustomObject({
      ...this.where(kind),
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
    })) as { items: DraObject[] };
    return result.items;
  }

  async delete(kind: string, name: string, namespace?: string): Promise<void> {
    const at = this.where(kind);
    await (namespace
      ? this.custom.deleteNamespacedCustomObject({ ...at, namespace, name })
      : this.custom.deleteClusterCustomObject({ ...at, name }));
  }
}

export interface DeviceRequestSpec {
  deviceClassName: string;
  count: number;
  /** CEL expressions over the device's attributes and capacity. */
  selectors?: string[];
}

/**
 * A ResourceClaimTemplate with one request named "gpu", in the shape of the API version:
 * v1 nests the request under `exactly`, v1beta1 has it flat.
 */
export function claimTemplate(
  api: DraApiVersion,
  namespace: string,
  name: string,
  request: DeviceRequestSpec,
): DraObject {
  const exact = {
    deviceClassName: request.deviceClassName,
    allocationMode: 'ExactCount',
    count: request.count,
    ...(request.selectors?.length
      ? { selectors: request.selectors.map((expression) => ({ cel: { expression } })) }
      : {}),
  };
  return {
    apiVersion: api,
    kind: 'ResourceClaimTemplate',
    metadata: { name, namespace },
    spec: {
      spec: {
        devices: {
          requests: [
            api === 'resource.k8s.io/v1'
              ? { name: 'gpu', exactly: exact }
              : { name: 'gpu', ...exact },
          ],
        },
      },
    },
  };
}
