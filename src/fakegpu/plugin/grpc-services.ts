/** gRPC service definitions of the kubelet plugin, from kaic's own .proto files. */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

import { protoSource } from './protos.js';

/** The names the kubelet knows the DRA service versions by, newest first (advertised in order). */
export const DRA_SERVICES = ['v1.DRAPlugin', 'v1beta1.DRAPlugin'] as const;
export type DraServiceVersion = (typeof DRA_SERVICES)[number];

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

function load(file: string): grpc.GrpcObject {
  const { root } = protobuf.parse(protoSource(file), { keepCase: true });
  return grpc.loadPackageDefinition(protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS));
}

type ServiceClass = grpc.ServiceClientConstructor;

function lookup(object: grpc.GrpcObject, path: string): ServiceClass {
  let node: unknown = object;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  if (!node) throw new Error(`no gRPC service ${path} in the loaded protos`);
  return node as ServiceClass;
}

export function registrationService(): grpc.ServiceDefinition {
  return lookup(load('pluginregistration-v1.proto'), 'pluginregistration.Registration').service;
}

export function draService(version: DraServiceVersion): grpc.ServiceDefinition {
  const api = version.split('.')[0] as string;
  return lookup(load(`dra-${api}.proto`), `k8s.io.kubelet.pkg.apis.dra.${api}.DRAPlugin`).service;
}
