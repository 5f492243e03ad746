import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
function isHttpUrl(value){try{let url=new URL(value);return(url.protocol==="https:"||url.protocol==="http:")&&!!url.hostname}catch{return!1}}export{isHttpUrl};
