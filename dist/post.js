import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  parseRecords,
  removeLeftovers
} from "./chunks/chunk-YV7YLT5M.js";
import {
  STATE_CREATED,
  STATE_MAIN_RAN
} from "./chunks/chunk-LYE2TJEJ.js";
import "./chunks/chunk-A5R5FKML.js";
import {
  getState,
  info,
  warning
} from "./chunks/chunk-DM634JXI.js";
import "./chunks/chunk-3YTTDGIJ.js";
import "./chunks/chunk-M32DOC7A.js";
import "./chunks/chunk-ARFH6SL4.js";
import "./chunks/chunk-62PC7QP5.js";
import "./chunks/chunk-DW5F3YJO.js";
import "./chunks/chunk-J4JJAD2Y.js";
import "./chunks/chunk-ETKQSHAL.js";
import "./chunks/chunk-WWHORE4U.js";

// src/post.ts
async function cleanup() {
  try {
    if (getState(STATE_MAIN_RAN) !== "true") {
      info("kaic post: main did not run; nothing to clean up");
      return;
    }
    const records = parseRecords(
      getState(STATE_CREATED),
      (l) => warning(`kaic post: ${l}`)
    );
    if (!records.length) {
      info("kaic post: main created nothing; nothing to clean up");
      return;
    }
    const removed = await removeLeftovers(records, (l) => info(`kaic post: ${l}`));
    info(
      removed.length ? `kaic post: removed what main left: ${removed.join(", ")}` : `kaic post: main had removed everything it created (${records.length} records checked)`
    );
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
