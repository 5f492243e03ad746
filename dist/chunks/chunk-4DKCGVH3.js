import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  isKubernetesMinor
} from "./chunk-J4JJAD2Y.js";
import {
  ObjectApisApi,
  ObjectVersionApi
} from "./chunk-ETKQSHAL.js";

// src/k8s/discovery.ts
async function servedGroupVersions(kc, group) {
  const groups = await kc.makeApiClient(ObjectApisApi).getAPIVersions();
  return groups.groups.find((g) => g.name === group)?.versions.map((v) => v.groupVersion) ?? [];
}
async function servedDraApi(kc) {
  const served = await servedGroupVersions(kc, "resource.k8s.io");
  if (served.includes("resource.k8s.io/v1")) return "resource.k8s.io/v1";
  if (served.includes("resource.k8s.io/v1beta1")) return "resource.k8s.io/v1beta1";
  return null;
}
async function serverMinor(kc) {
  const info = await kc.makeApiClient(ObjectVersionApi).getCode();
  const minor = `${info.major}.${info.minor.replace(/\D+$/, "")}`;
  return isKubernetesMinor(minor) ? minor : null;
}

export {
  servedGroupVersions,
  servedDraApi,
  serverMinor
};
