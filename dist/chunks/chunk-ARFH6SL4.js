import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);

// src/k8s/raw.ts
import { request } from "node:https";
var ApiError = class extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
    this.name = "ApiError";
  }
  code;
};
async function call(kc, method, path, body, contentType = "application/json") {
  const text = await callText(kc, method, path, body, contentType, "application/json");
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
async function callText(kc, method, path, body, contentType, accept) {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("the kubeconfig names no server");
  const url = new URL(path, server);
  const options = {
    method,
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: { Accept: accept, "Content-Type": contentType }
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let text = "";
      res.on("data", (chunk) => text += chunk.toString());
      res.on("end", () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) {
          resolve(text);
          return;
        }
        let message = text.trim();
        try {
          message = String(JSON.parse(text).message ?? message);
        } catch {
        }
        reject(new ApiError(`${method} ${path}: ${code} ${message.slice(0, 500)}`, code));
      });
    });
    req.on("error", reject);
    if (body !== void 0) req.write(JSON.stringify(body));
    req.end();
  });
}
function getJson(kc, path) {
  return call(kc, "GET", path);
}
function getText(kc, path) {
  return callText(kc, "GET", path, void 0, "application/json", "*/*");
}
function postJson(kc, path, body) {
  return call(kc, "POST", path, body);
}
function applyJson(kc, path, body, fieldManager = "kaic") {
  const query = `fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
  return call(kc, "PATCH", `${path}?${query}`, body, "application/apply-patch+yaml");
}
function mergePatchJson(kc, path, body) {
  return call(kc, "PATCH", path, body, "application/merge-patch+json");
}

export {
  ApiError,
  getJson,
  getText,
  postJson,
  applyJson,
  mergePatchJson
};
