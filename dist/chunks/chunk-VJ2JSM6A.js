import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
var TEST_NAMESPACE_LABEL="conformance.kaic.dev/test",RUN_ID_LABEL="conformance.kaic.dev/run-id";export{TEST_NAMESPACE_LABEL,RUN_ID_LABEL};
