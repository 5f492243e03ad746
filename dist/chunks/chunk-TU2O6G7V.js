import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
var STATE_MAIN_RAN="kaic-main-ran",STATE_CREATED="kaic-created";export{STATE_MAIN_RAN,STATE_CREATED};
