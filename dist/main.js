import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  info,
  saveState,
  setFailed,
  summary,
  warning
} from "./chunks/chunk-5PAQSXXR.js";
import {
  KAIC_VERSION
} from "./chunks/chunk-ETTCBZFC.js";
import "./chunks/chunk-EHK6SDTZ.js";

// src/main.ts
async function run() {
  try {
    saveState("kaic-main-ran", "true");
    info(`kaic ${KAIC_VERSION}`);
    warning(
      "kaic: the conformance pipeline is not implemented in the action yet; nothing was verified."
    );
    await summary.addHeading("kaic: Kubernetes AI Conformance", 2).addRaw("No suites ran: the action pipeline is not implemented yet, so nothing was verified.").write();
  } catch (error) {
    setFailed(error instanceof Error ? error.message : String(error));
  }
}
await run();
export {
  run
};
