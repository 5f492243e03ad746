import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);

// src/util/wait.ts
var WaitAborted = class extends Error {
};
async function waitFor(what, probe, timeoutMs = 6e4, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    let timer;
    const silent = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("no answer before the deadline")),
        Math.max(deadline - Date.now(), 0)
      );
    });
    try {
      const value = await Promise.race([probe(), silent]);
      if (value) return value;
    } catch (error) {
      if (error instanceof WaitAborted) throw error;
      last = error;
    } finally {
      clearTimeout(timer);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1e3}s waiting for ${what}` + (last ? ` (last error: ${last.message})` : "")
  );
}

// src/k8s/kwok-nodes.ts
var KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";
var SIMULATED_NODE_TAINT = {
  key: KWOK_NODE_ANNOTATION,
  value: "fake",
  effect: "NoSchedule"
};
var SIMULATED_NODE_TOLERATION = {
  key: SIMULATED_NODE_TAINT.key,
  operator: "Exists",
  effect: SIMULATED_NODE_TAINT.effect
};
function nodeList(names) {
  return names.length <= 4 ? names.join(", ") : `${names[0]} \u2026 ${names[names.length - 1]} (${names.length} nodes)`;
}
function nodeRolesLine(nodes, containerNodes, tainted) {
  const simulated = nodes.filter((n) => !containerNodes.includes(n));
  const running = nodes.filter((n) => containerNodes.includes(n));
  const parts = [
    running.length ? `${nodeList(running)} ${running.length === 1 ? "runs" : "run"} containers` : "no node runs containers"
  ];
  if (simulated.length) {
    const { key, value, effect } = SIMULATED_NODE_TAINT;
    parts.push(
      `${nodeList(simulated)} ${simulated.length === 1 ? "is" : "are"} simulated by kwok: a pod there is reported Running, but no container runs and its logs stay empty` + (tainted ? ` (only pods that tolerate ${key}=${value}:${effect} land there)` : "")
    );
  }
  return parts.join("; ");
}

export {
  WaitAborted,
  waitFor,
  KWOK_NODE_ANNOTATION,
  SIMULATED_NODE_TAINT,
  nodeRolesLine
};
