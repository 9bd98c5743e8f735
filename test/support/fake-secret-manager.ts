/**
 * An in-process Google Secret Manager for tests: a real gRPC server on 127.0.0.1 (port 0) built from the
 * service definition shipped in @google-cloud/secret-manager itself, so the real client talks to it over
 * the real wire protocol. No emulator exists for Secret Manager; this is the closest thing that runs here.
 * It keeps the behaviours the adapter relies on: resource names, ALREADY_EXISTS / NOT_FOUND, the
 * FAILED_PRECONDITION of disabled and destroyed versions, CRC32C checks, the 64 KiB payload limit and
 * paging. `failNext` injects a failure; `requests` records every call (method and resource name).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PassThroughClient } from 'google-auth-library';
import type { SecretManagerClientOptions } from '../../storage/vault/google-secret-manager-vault.js';
import { crc32c } from '../../storage/vault/crc32c.js';

type State = 'ENABLED' | 'DISABLED' | 'DESTROYED';
interface Timestamp {
  seconds: number;
  nanos: number;
}
interface StoredVersion {
  name: string;
  state: State;
  createTime: Timestamp;
  destroyTime: Timestamp | null;
  data: Buffer | null;
}
interface StoredSecret {
  name: string;
  labels: Record<string, string>;
  createTime: Timestamp;
  versions: StoredVersion[];
}
interface Failure {
  code: grpc.status;
  details: string;
}
interface Request {
  name?: string;
  parent?: string;
  secretId?: string;
  secret?: { labels?: Record<string, string>; replication?: { automatic?: object; userManaged?: object } };
  payload?: { data?: Buffer; dataCrc32c?: string | null };
  pageSize?: number;
  pageToken?: string;
}
type Handler = (request: Request) => object;

const MAX_PAYLOAD = 65536;

export class GrpcFailure extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
  }
}

const now = (): Timestamp => {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
};

function loadService(): grpc.ServiceDefinition {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('@google-cloud/secret-manager/package.json'));
  const gaxProtos = path.join(
    path.dirname(require.resolve('google-gax', { paths: [packageDir] })),
    '../protos',
  );
  const definition = protoLoader.loadSync('google/cloud/secretmanager/v1/service.proto', {
    includeDirs: [path.join(packageDir, 'build/protos'), gaxProtos],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: {
      cloud: { secretmanager: { v1: { SecretManagerService: { service: grpc.ServiceDefinition } } } };
    };
  };
  return loaded.google.cloud.secretmanager.v1.SecretManagerService.service;
}

export class FakeSecretManager {
  readonly requests: { method: string; name: string }[] = [];
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly failures = new Map<string, Failure>();
  private server: grpc.Server | null = null;
  private boundPort = 0;

  /** Starts the server on a free loopback port. */
  static async start(): Promise<FakeSecretManager> {
    const fake = new FakeSecretManager();
    const server = new grpc.Server();
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(fake.handlers())) {
      implementation[method] = (
        call: grpc.ServerUnaryCall<Request, object>,
        callback: grpc.sendUnaryData<object>,
      ) => {
        const request = call.request;
        fake.requests.push({ method, name: String(request.name ?? request.parent ?? '') });
        const failure = fake.failures.get(method);
        if (failure) {
          fake.failures.delete(method);
          callback({ code: failure.code, details: failure.details });
          return;
        }
        try {
          callback(null, handler(request));
        } catch (error) {
          if (!(error instanceof GrpcFailure)) throw error;
          callback({ code: error.code, details: error.details });
        }
      };
    }
    server.addService(loadService(), implementation);
    fake.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    fake.server = server;
    return fake;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Options for the real client: this server, plaintext, and no credential lookup at all. */
  clientOptions(): SecretManagerClientOptions {
    return {
      apiEndpoint: '127.0.0.1',
      port: this.boundPort,
      sslCreds: grpc.credentials.createInsecure(),
      authClient: new PassThroughClient(),
    };
  }

  /** The next call of `method` (e.g. 'disableSecretVersion') fails with this gRPC status. */
  failNext(method: string, code: grpc.status, details = 'injected failure'): void {
    this.failures.set(method, { code, details });
  }

  /** Every payload the fake holds (for "the value is gone" checks). */
  storedPayloads(): Buffer[] {
    return [...this.secrets.values()].flatMap((s) => s.versions.flatMap((v) => (v.data ? [v.data] : [])));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }

  private handlers(): Record<string, Handler> {
    return {
      createSecret: (r) => {
        if (!/^projects\/[^/]+$/.test(String(r.parent))) throw invalid(`bad parent ${r.parent}`);
        if (!/^[a-zA-Z0-9_-]{1,255}$/.test(String(r.secretId))) throw invalid(`bad secret id ${r.secretId}`);
        if (!r.secret?.replication?.automatic && !r.secret?.replication?.userManaged)
          throw invalid('Secret.replication is required');
        const name = `${r.parent}/secrets/${r.secretId}`;
        if (this.secrets.has(name))
          throw new GrpcFailure(grpc.status.ALREADY_EXISTS, `Secret [${name}] already exists.`);
        const secret: StoredSecret = {
          name,
          labels: { ...r.secret.labels },
          createTime: now(),
          versions: [],
        };
        this.secrets.set(name, secret);
        return secretView(secret);
      },
      getSecret: (r) => secretView(this.secret(String(r.name))),
      addSecretVersion: (r) => {
        const secret = this.secret(String(r.parent));
        const data = Buffer.from(r.payload?.data ?? []);
        if (data.length > MAX_PAYLOAD) throw invalid('Secret payload cannot exceed 65536 bytes');
        const sum = r.payload?.dataCrc32c;
        if (sum !== null && sum !== undefined && Number(sum) !== crc32c(data))
          throw invalid('Checksum mismatch: data_crc32c does not match the payload');
        const version: StoredVersion = {
          name: `${secret.name}/versions/${secret.versions.length + 1}`,
          state: 'ENABLED',
          createTime: now(),
          destroyTime: null,
          data,
        };
        secret.versions.push(version);
        return versionView(version);
      },
      getSecretVersion: (r) => versionView(this.version(String(r.name))),
      accessSecretVersion: (r) => {
        const version = this.version(String(r.name));
        if (version.state !== 'ENABLED' || !version.data)
          throw new GrpcFailure(
            grpc.status.FAILED_PRECONDITION,
            `Secret Version [${version.name}] is in ${version.state} state.`,
          );
        return {
          name: version.name,
          payload: { data: version.data, dataCrc32c: String(crc32c(version.data)) },
        };
      },
      listSecretVersions: (r) => {
        const all = [...this.secret(String(r.parent)).versions].reverse(); // newest first, as the service does
        const start = r.pageToken ? Number(r.pageToken) : 0;
        const size = Number(r.pageSize) > 0 ? Number(r.pageSize) : 25;
        const page = all.slice(start, start + size);
        const next = start + size < all.length ? String(start + size) : '';
        return { versions: page.map(versionView), nextPageToken: next, totalSize: all.length };
      },
      disableSecretVersion: (r) => this.transition(String(r.name), 'DISABLED'),
      enableSecretVersion: (r) => this.transition(String(r.name), 'ENABLED'),
      destroySecretVersion: (r) => this.transition(String(r.name), 'DESTROYED'),
    };
  }

  private transition(name: string, target: State): object {
    const version = this.version(name);
    if (version.state === 'DESTROYED')
      throw new GrpcFailure(
        grpc.status.FAILED_PRECONDITION,
        `Secret Version [${name}] is in DESTROYED state.`,
      );
    version.state = target;
    if (target === 'DESTROYED') {
      version.data?.fill(0);
      version.data = null;
      version.destroyTime = now();
    }
    return versionView(version);
  }

  private secret(name: string): StoredSecret {
    const secret = this.secrets.get(name);
    if (!secret)
      throw new GrpcFailure(grpc.status.NOT_FOUND, `Secret [${name}] not found or has no versions.`);
    return secret;
  }

  private version(name: string): StoredVersion {
    const match = /^(projects\/[^/]+\/secrets\/[^/]+)\/versions\/(latest|\d+)$/.exec(name);
    if (!match) throw invalid(`bad version name ${name}`);
    const versions = this.secret(match[1]!).versions;
    const found =
      match[2] === 'latest'
        ? versions.filter((v) => v.state === 'ENABLED').at(-1)
        : versions[Number(match[2]) - 1];
    if (!found) throw new GrpcFailure(grpc.status.NOT_FOUND, `Secret Version [${name}] not found.`);
    return found;
  }
}

function invalid(details: string): GrpcFailure {
  return new GrpcFailure(grpc.status.INVALID_ARGUMENT, details);
}

function secretView(secret: StoredSecret): object {
  return {
    name: secret.name,
    labels: secret.labels,
    createTime: secret.createTime,
    replication: { automatic: {} },
    etag: '"1"',
  };
}

function versionView(version: StoredVersion): object {
  return {
    name: version.name,
    state: version.state,
    createTime: version.createTime,
    destroyTime: version.destroyTime,
    etag: '"1"',
  };
}
