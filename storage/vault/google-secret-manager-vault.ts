/**
 * Google Secret Manager as the vault, through the official client (gRPC). Configured by a GCP project id;
 * credentials come from the standard chain (GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata server).
 * `clientOptions` pass through to the client, so tests point it at a local server
 * (`apiEndpoint`, `port`, `sslCreds`, `authClient`). The constructor does no I/O.
 */
import { SecretManagerServiceClient, type protos } from '@google-cloud/secret-manager';
import { OlympusError } from '../../common/errors.js';
import { crc32c } from './crc32c.js';
import { GrpcStatus, grpcCode, mapSecretManagerError } from './google-secret-manager-errors.js';
import {
  assertLabels,
  assertSecretName,
  assertValue,
  assertVersion,
  type SecretInfo,
  type SecretLabels,
  type SecretVersionInfo,
  type SecretVersionState,
  type Vault,
} from '../../ports/vault.js';

export type SecretManagerClientOptions = NonNullable<
  ConstructorParameters<typeof SecretManagerServiceClient>[0]
>;

export interface GoogleSecretManagerVaultOptions {
  projectId: string;
  clientOptions?: SecretManagerClientOptions;
}

const STATES: Record<string, SecretVersionState> = {
  ENABLED: 'enabled',
  DISABLED: 'disabled',
  DESTROYED: 'destroyed',
  '1': 'enabled',
  '2': 'disabled',
  '3': 'destroyed',
};

export class GoogleSecretManagerVault implements Vault {
  readonly kind = 'google-secret-manager';
  readonly description: string;
  private readonly client: SecretManagerServiceClient;
  private readonly project: string;

  constructor(options: GoogleSecretManagerVaultOptions) {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/i.test(options.projectId))
      throw new OlympusError('VALIDATION', `"${options.projectId}" is not a Google Cloud project id`);
    this.project = `projects/${options.projectId}`;
    this.description = `Google Secret Manager in project ${options.projectId}`;
    this.client = new SecretManagerServiceClient(options.clientOptions ?? {});
  }

  async createSecret(name: string, labels: SecretLabels): Promise<SecretInfo> {
    assertSecretName(name);
    assertLabels(labels);
    const [secret] = await this.call('create', name, undefined, () =>
      this.client.createSecret({
        parent: this.project,
        secretId: name,
        secret: { replication: { automatic: {} }, labels: { ...labels } },
      }),
    );
    return toSecretInfo(name, secret);
  }

  async getSecret(name: string): Promise<SecretInfo> {
    assertSecretName(name);
    const [secret] = await this.call('get', name, undefined, () =>
      this.client.getSecret({ name: this.path(name) }),
    );
    return toSecretInfo(name, secret);
  }

  async addVersion(name: string, value: string): Promise<string> {
    assertSecretName(name);
    assertValue(value);
    const data = Buffer.from(value, 'utf8');
    const [version] = await this.call('add version to', name, undefined, () =>
      this.client.addSecretVersion({ parent: this.path(name), payload: { data, dataCrc32c: crc32c(data) } }),
    );
    return versionId(version.name);
  }

  async access(name: string, version: string): Promise<string> {
    this.check(name, version);
    try {
      const [response] = await this.client.accessSecretVersion({ name: this.path(name, version) });
      const data = Buffer.from(response.payload?.data ?? new Uint8Array());
      const sum = response.payload?.dataCrc32c;
      if (sum !== null && sum !== undefined && sum !== '' && Number(sum) !== crc32c(data))
        throw new OlympusError(
          'VAULT_INTEGRITY',
          `version ${version} of secret ${name} failed its checksum`,
          {
            retryable: true,
          },
        );
      return data.toString('utf8');
    } catch (error) {
      if (error instanceof OlympusError) throw error;
      throw await this.explain(error, 'access', name, version);
    }
  }

  async disableVersion(name: string, version: string): Promise<void> {
    this.check(name, version);
    await this.call('disable', name, version, () =>
      this.client.disableSecretVersion({ name: this.path(name, version) }),
    );
  }

  async enableVersion(name: string, version: string): Promise<void> {
    this.check(name, version);
    await this.call('enable', name, version, () =>
      this.client.enableSecretVersion({ name: this.path(name, version) }),
    );
  }

  async destroyVersion(name: string, version: string): Promise<void> {
    this.check(name, version);
    try {
      await this.client.destroySecretVersion({ name: this.path(name, version) });
    } catch (error) {
      const mapped = await this.explain(error, 'destroy', name, version);
      if (mapped.code !== 'SECRET_DESTROYED') throw mapped; // destroying twice is a no-op
    }
  }

  async listVersions(name: string): Promise<SecretVersionInfo[]> {
    assertSecretName(name);
    const [versions] = await this.call('list versions of', name, undefined, () =>
      this.client.listSecretVersions({ parent: this.path(name) }),
    );
    return versions
      .map((version) => toVersionInfo(name, version))
      .sort((a, b) => Number(a.version) - Number(b.version));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private check(name: string, version: string): void {
    assertSecretName(name);
    assertVersion(version);
  }

  private path(name: string, version?: string): string {
    const secret = `${this.project}/secrets/${name}`;
    return version === undefined ? secret : `${secret}/versions/${version}`;
  }

  private async call<T>(
    operation: string,
    name: string,
    version: string | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw await this.explain(error, operation, name, version);
    }
  }

  /** Maps a failure; for FAILED_PRECONDITION asks the version's state rather than trusting the message. */
  private async explain(
    error: unknown,
    operation: string,
    name: string,
    version?: string,
  ): Promise<OlympusError> {
    const mapped = mapSecretManagerError(error, { operation, secret: name, ...(version ? { version } : {}) });
    if (grpcCode(error) !== GrpcStatus.FAILED_PRECONDITION || version === undefined) return mapped;
    try {
      const [info] = await this.client.getSecretVersion({ name: this.path(name, version) });
      const state = stateOf(info.state);
      if (state === 'enabled') return mapped;
      return mapSecretManagerError(
        { code: GrpcStatus.FAILED_PRECONDITION, details: state === 'destroyed' ? 'DESTROYED' : 'DISABLED' },
        { operation, secret: name, version },
      );
    } catch {
      return mapped;
    }
  }
}

function versionId(resource: string | null | undefined): string {
  const id = /\/versions\/(\d+)$/.exec(resource ?? '')?.[1];
  if (!id)
    throw new OlympusError(
      'VAULT_UNAVAILABLE',
      `Secret Manager returned an unexpected version "${resource}"`,
    );
  return id;
}

function stateOf(state: unknown): SecretVersionState {
  const mapped = STATES[String(state)];
  if (!mapped)
    throw new OlympusError(
      'VAULT_UNAVAILABLE',
      `Secret Manager returned an unknown state "${String(state)}"`,
    );
  return mapped;
}

function toDate(time: protos.google.protobuf.ITimestamp | null | undefined): Date | null {
  if (!time) return null;
  return new Date(Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6));
}

function toSecretInfo(name: string, secret: protos.google.cloud.secretmanager.v1.ISecret): SecretInfo {
  return { name, labels: { ...(secret.labels ?? {}) }, createdAt: toDate(secret.createTime) ?? new Date(0) };
}

function toVersionInfo(
  name: string,
  version: protos.google.cloud.secretmanager.v1.ISecretVersion,
): SecretVersionInfo {
  return {
    secret: name,
    version: versionId(version.name),
    state: stateOf(version.state),
    createdAt: toDate(version.createTime) ?? new Date(0),
    destroyedAt: toDate(version.destroyTime),
  };
}
