import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  AVAILABLE_PROVIDERS,
  PROVIDERS,
  REAL_NODE_SETTINGS,
  REUSE_SETTINGS,
  RUN_OPTIONS,
  collectRunInputs,
  runUsage,
  validateRunConfig
} from "./chunk-KBTWLMWK.js";
import "./chunk-W6DAHXTN.js";
import "./chunk-OYMJ6T6V.js";
import "./chunk-MHHI76D7.js";
import "./chunk-DM634JXI.js";
import "./chunk-ETTCBZFC.js";
import "./chunk-3YTTDGIJ.js";
import "./chunk-M32DOC7A.js";
import "./chunk-OEEHFPHV.js";
import "./chunk-FCORZ63V.js";
import "./chunk-ARFH6SL4.js";
import "./chunk-DW5F3YJO.js";
import "./chunk-J4JJAD2Y.js";
import "./chunk-ETKQSHAL.js";
import "./chunk-NKKDUV5A.js";
import "./chunk-WWHORE4U.js";
export {
  AVAILABLE_PROVIDERS,
  PROVIDERS,
  REAL_NODE_SETTINGS,
  REUSE_SETTINGS,
  RUN_OPTIONS,
  collectRunInputs,
  runUsage,
  validateRunConfig
};
