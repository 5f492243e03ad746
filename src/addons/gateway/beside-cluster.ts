/**
 * Traefik run as a process beside a cluster whose API server runs on this machine (the kwok test
 * cluster): the cluster's Gateway API implementation, through Traefik's kubernetesGateway provider
 * alone. The standard-channel CRDs come from the gateway-api module Traefik's own go.mod requires,
 * so implementation and API agree.
 *
 * Traefik serves every Gateway of its GatewayClass from its own entryPoints: a listener is taken
 * only when its port equals the port of an entryPoint's address (the entryPoint is found by that
 * port; there is no separate "internal" port). So the HTTP entryPoint is bound on a free port on
 * 0.0.0.0 (pods on a real node reach it at this machine's address) and Gateways must declare a
 * listener on exactly that port (`port`).
 *
 * Traefik proxies to the addresses of a backend Service's EndpointSlices (not its ClusterIP),
 * so backends are reachable when their pod IPs are routable from this machine.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import type { ResultPromise } from 'execa';
import { stringify } from 'yaml';

import { buildRecipe, copyFromModule, type ProgressLog } from '../../binaries/build.js';
import { traefikDir } from '../../cache.js';
import { applyCrdDirectory } from '../../k8s/crds.js';
import { ApiError, getJson, postJson } from '../../k8s/raw.js';
import { defaultRouteAddress, freePort } from '../../util/net.js';
import { assertPortFree } from '../../util/processes.js';
import { waitFor } from '../../util/wait.js';
import { answersOk, spawnLogged, stopProcess, waitProcessReady } from '../process.js';
import { GATEWAY_API, GATEWAY_API_CRDS, TRAEFIK, TRAEFIK_RECIPE } from './pin.js';

export class TraefikError extends Error {
  override name = 'TraefikError';
}

/** The controllerName Traefik's provider claims GatewayClasses by (fixed in its source). */
export const TRAEFIK_CONTROLLER_NAME = 'traefik.io/gateway-controller';
/** Label on the GatewayClass kaic creates, so a later run knows it may delete it. */
export const TRAEFIK_OWNER_LABEL = 'kaic.dev/traefik';
/** The name of the HTTP entryPoint in Traefik's configuration. */
export const TRAEFIK_ENTRYPOINT = 'web';

const GATEWAY_API_GROUP = '/apis/gateway.networking.k8s.io/v1';

export interface TraefikOptions {
  kubeconfigPath: string;
  /** Working directory: static configuration, log. */
  dir: string;
  log: ProgressLog;
  /** Build Traefik when the cache lacks it (several minutes on a cold Go cache). */
  buildMissing?: boolean;
  /** Seconds to wait for readiness (process and GatewayClass Accepted). Default 60. */
  startTimeoutSeconds?: number;
  /** GatewayClass to create for Traefik. Default kaic-traefik. */
  gatewayClassName?: string;
  /** IP written into every Gateway's status.addresses. Default: this machine's address. */
  statusAddress?: string;
  /**
   * Port of the HTTP entryPoint (default: a free one). Gateways name it in their listeners, so a
   * fixed port keeps Gateways valid across restarts; a listener on any other port is refused
   * (Accepted False, PortUnavailable).
   */
  port?: number;
  /** Traefik's log level; DEBUG logs every dynamic configuration (routers, servers). */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/** The condition of `type` in an object's status.conditions, if there is one. */
export function findCondition(
  object: Record<string, unknown>,
  type: string,
): Condition | undefined {
  const status = object.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

export class TraefikGateway {
  private process: ResultPromise | null = null;
  private readonly kc = new k8s.KubeConfig();
  private entryPointPort: number | null = null;
  private statusIp: string | null = null;
  /** Whether stop() deletes the GatewayClass (kaic created it, now or in an earlier run). */
  private ownsGatewayClass = false;

  constructor(private readonly options: TraefikOptions) {
    this.kc.loadFromFile(options.kubeconfigPath);
  }

  get gatewayClassName(): string {
    return this.options.gatewayClassName ?? 'kaic-traefik';
  }

  /** The port of the HTTP entryPoint: every Gateway listener must use it. */
  get port(): number {
    if (this.entryPointPort === null) throw new TraefikError('Traefik is not started');
    return this.entryPointPort;
  }

  /** The address Gateways report in status.addresses and clients reach the entryPoint at. */
  get address(): string {
    if (this.statusIp === null) throw new TraefikError('Traefik is not started');
    return this.statusIp;
  }

  /** Base URL of the entryPoint, as a client on this machine or a pod would call it. */
  get url(): string {
    return `http://${this.address}:${this.port}`;
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join(traefikDir(TRAEFIK.version), 'traefik');
    if (!existsSync(binary)) {
      if (this.options.buildMissing === false) {
        throw new TraefikError(`${binary} is missing; build it with npm run k8s:build -- --addons`);
      }
      await buildRecipe(TRAEFIK_RECIPE, log);
    }
    await mkdir(dir, { recursive: true });
    await applyCrdDirectory(this.kc, await copyFromModule(GATEWAY_API_CRDS, log), {
      what: `Gateway API ${GATEWAY_API.version}`,
    });
    await this.ensureGatewayClass();
    try {
      await this.launch(binary);
    } catch (error) {
      // Nothing half-started stays behind: no process, no GatewayClass kaic made.
      await this.stop();
      throw error;
    }
    log(`traefik ${TRAEFIK.version}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  private async launch(binary: string): Promise<void> {
    const { log, dir } = this.options;
    this.statusIp = this.options.statusAddress ?? (await defaultRouteAddress());
    if (this.options.port !== undefined) {
      await assertPortFree(this.options.port, '0.0.0.0', "Traefik's HTTP entryPoint");
    }
    this.entryPointPort = this.options.port ?? (await freePort('0.0.0.0'));
    const pingPort = await freePort('127.0.0.1');
    const config = {
      // No calls home from a test machine.
      global: { checkNewVersion: false, sendAnonymousUsage: false },
      log: { level: this.options.logLevel ?? 'INFO', noColor: true },
      entryPoints: {
        [TRAEFIK_ENTRYPOINT]: { address: `0.0.0.0:${this.entryPointPort}` },
        // Ping only; named, so Traefik does not open its default :8080 for it.
        traefik: { address: `127.0.0.1:${pingPort}` },
      },
      ping: { entryPoint: 'traefik' },
      providers: {
        // A route change reaches the proxy this long after the event (Traefik's default: 2s).
        providersThrottleDuration: '500ms',
        // Without a status address Gateways get none; a Gateway API client waits for one.
        kubernetesGateway: { statusAddress: { ip: this.statusIp } },
      },
    };
    const configFile = join(dir, 'traefik.yaml');
    await writeFile(configFile, stringify(config));

    const logFile = join(dir, 'traefik.log');
    log(
      `traefik ${TRAEFIK.version}: starting, entryPoint ${TRAEFIK_ENTRYPOINT} on ` +
        `0.0.0.0:${this.entryPointPort}, GatewayClass ${this.gatewayClassName}`,
    );
    this.process = spawnLogged(binary, [`--configFile=${configFile}`], {
      env: {
        // The provider connects with this kubeconfig (it checks KUBECONFIG after the in-cluster
        // variables, which are blanked so a kaic run inside a pod does not pick its own cluster).
        KUBECONFIG: this.options.kubeconfigPath,
        KUBERNETES_SERVICE_HOST: '',
        KUBERNETES_SERVICE_PORT: '',
      },
      logFile,
    });
    const timeoutMs = (this.options.startTimeoutSeconds ?? 60) * 1000;
    await waitProcessReady(
      this.process,
      'traefik',
      `127.0.0.1:${pingPort}`,
      logFile,
      () => answersOk(`http://127.0.0.1:${pingPort}/ping`),
      timeoutMs,
    );
    await this.waitGatewayClassAccepted(logFile, timeoutMs);
  }

  /**
   * Creates Traefik's GatewayClass. One that exists already is used as it is if it names Traefik's
   * controller (and deleted on stop only if kaic's label says kaic made it).
   */
  private async ensureGatewayClass(): Promise<void> {
    const path = `${GATEWAY_API_GROUP}/gatewayclasses`;
    try {
      await postJson(this.kc, path, {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: this.gatewayClassName, labels: { [TRAEFIK_OWNER_LABEL]: 'true' } },
        spec: { controllerName: TRAEFIK_CONTROLLER_NAME },
      });
      this.ownsGatewayClass = true;
      return;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 409)) {
        throw new TraefikError(
          `could not create GatewayClass ${this.gatewayClassName}: ${(error as Error).message}`,
        );
      }
    }
    const existing = await getJson(this.kc, `${path}/${this.gatewayClassName}`);
    const controller = (existing.spec as { controllerName?: string }).controllerName;
    if (controller !== TRAEFIK_CONTROLLER_NAME) {
      throw new TraefikError(
        `GatewayClass ${this.gatewayClassName} exists with controllerName ${controller}, not ` +
          `Traefik's ${TRAEFIK_CONTROLLER_NAME}; choose another gatewayClassName`,
      );
    }
    const labels = (existing.metadata as { labels?: Record<string, string> }).labels;
    this.ownsGatewayClass = labels?.[TRAEFIK_OWNER_LABEL] === 'true';
  }

  private async waitGatewayClassAccepted(logFile: string, timeoutMs: number): Promise<void> {
    const path = `${GATEWAY_API_GROUP}/gatewayclasses/${this.gatewayClassName}`;
    let last = 'no condition';
    try {
      await waitFor(
        `GatewayClass ${this.gatewayClassName} Accepted by Traefik`,
        async () => {
          const gc = await getJson(this.kc, path);
          const generation = (gc.metadata as { generation?: number }).generation;
          const accepted = findCondition(gc, 'Accepted');
          if (accepted) last = `${accepted.status} (${accepted.reason}: ${accepted.message})`;
          return accepted?.status === 'True' && accepted.observedGeneration === generation;
        },
        timeoutMs,
      );
    } catch (error) {
      throw new TraefikError(
        `${(error as Error).message}; Accepted: ${last}; see ${logFile} ` +
          '(the provider waits for every Gateway API informer: a missing CRD stalls it)',
      );
    }
  }

  /** Deletes the GatewayClass kaic created, then stops Traefik. */
  async stop(): Promise<void> {
    if (this.ownsGatewayClass) {
      const custom = this.kc.makeApiClient(k8s.CustomObjectsApi);
      await custom
        .deleteClusterCustomObject({
          group: 'gateway.networking.k8s.io',
          version: 'v1',
          plural: 'gatewayclasses',
          name: this.gatewayClassName,
        })
        .catch((error: Error) =>
          this.options.log(
            `traefik: could not delete GatewayClass ${this.gatewayClassName}: ${error.message}`,
          ),
        );
      this.ownsGatewayClass = false;
    }
    await stopProcess(this.process);
    this.process = null;
  }
}
