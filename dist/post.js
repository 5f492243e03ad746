import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  getState,
  info,
  warning
} from "./chunks/chunk-5PAQSXXR.js";
import "./chunks/chunk-EHK6SDTZ.js";

// src/post.ts
async function cleanup() {
  try {
    if (getState("kaic-main-ran") !== "true") {
      info("kaic post: main did not run; nothing to clean up");
      return;
    }
    info("kaic post: nothing was created; nothing to clean up");
  } catch (error) {
    warning(
      `kaic post: cleanup failed: ${error instanceof Error ? error.message : String(error)}`
    );
  }
}
await cleanup();
export {
  cleanup
};
