import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);

// src/k8s/test-labels.ts
var TEST_NAMESPACE_LABEL = "conformance.kaic.dev/test";
var RUN_ID_LABEL = "conformance.kaic.dev/run-id";

export {
  TEST_NAMESPACE_LABEL,
  RUN_ID_LABEL
};
