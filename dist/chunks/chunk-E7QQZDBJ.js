import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
var KAIC_VERSION="0.1.0";export{KAIC_VERSION};
