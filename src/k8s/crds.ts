/**
 * CustomResourceDefinitions from YAML files, server-side applied as raw JSON (client-node's model
 * drops the x-kubernetes-* schema keys) and awaited until Established.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

import { waitFor } from '../util/wait.js';
import { applyJson } from './raw.js';

/** Applies every CRD in the files of `dir` that `accept` takes; returns their names. */
export async function applyCrdDirectory(
  kc: k8s.KubeConfig,
  dir: string,
  options: { accept?: (file: string) => boolean; labels?: Record<string, string>; what: string },
): Promise<string[]> {
  const names: string[] = [];
  const files = (await readdir(dir)).filter(
    (f) => /\.ya?ml$/.test(f) && (options.accept?.(f) ?? true),
  );
  for (const file of files.sort()) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const crd = doc.toJS() as k8s.V1CustomResourceDefinition | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.metadata?.name) continue;
      if (options.labels) crd.metadata.labels = { ...crd.metadata.labels, ...options.labels };
      await applyJson(
        kc,
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        crd,
      );
      names.push(crd.metadata.name);
    }
  }
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  await waitFor(
    `${names.length} ${options.what} CRDs Established`,
    async () => {
      for (const name of names) {
        const crd = await ext.readCustomResourceDefinition({ name });
        const established = crd.status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        );
        if (!established) return undefined;
      }
      return true;
    },
    60_000,
  );
  return names;
}

/**
 * Deletes the CRDs carrying `labelSelector` and waits until they are gone (and with them every
 * object of their kinds). One DELETE per CRD: only that path adds the finalizer that removes the
 * stored objects; a delete-collection skips it, and the objects would return with the next install.
 */
export async function deleteCrdsByLabel(
  kc: k8s.KubeConfig,
  labelSelector: string,
  what: string,
): Promise<void> {
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  for (const crd of (await ext.listCustomResourceDefinition({ labelSelector })).items) {
    const name = crd.metadata?.name;
    if (name) await ext.deleteCustomResourceDefinition({ name }).catch(() => undefined);
  }
  await waitFor(
    `${what} CRDs removed`,
    async () => (await ext.listCustomResourceDefinition({ labelSelector })).items.length === 0,
    120_000,
  );
}

/** Deletes the mutating and validating webhook configurations carrying `labelSelector`. */
export async function deleteWebhookConfigurations(
  kc: k8s.KubeConfig,
  labelSelector: string,
): Promise<void> {
  const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  await admission
    .deleteCollectionMutatingWebhookConfiguration({ labelSelector })
    .catch(() => undefined);
  await admission
    .deleteCollectionValidatingWebhookConfiguration({ labelSelector })
    .catch(() => undefined);
}
