/**
 * Wraps a vault so every value written or read through it is registered with the secret redactor first:
 * from then on no log line (message, metadata, serialized error) can carry it.
 */
import type { SecretRedactor } from '../../common/logging/redactor.js';
import type { SecretInfo, SecretLabels, SecretVersionInfo, Vault } from '../../ports/vault.js';

export class RedactingVault implements Vault {
  constructor(
    private readonly inner: Vault,
    private readonly redactor: SecretRedactor,
  ) {}

  get kind(): string {
    return this.inner.kind;
  }

  get description(): string {
    return this.inner.description;
  }

  createSecret(name: string, labels: SecretLabels): Promise<SecretInfo> {
    return this.inner.createSecret(name, labels);
  }

  getSecret(name: string): Promise<SecretInfo> {
    return this.inner.getSecret(name);
  }

  addVersion(name: string, value: string): Promise<string> {
    if (typeof value === 'string') this.redactor.add(value);
    return this.inner.addVersion(name, value);
  }

  async access(name: string, version: string): Promise<string> {
    const value = await this.inner.access(name, version);
    this.redactor.add(value);
    return value;
  }

  disableVersion(name: string, version: string): Promise<void> {
    return this.inner.disableVersion(name, version);
  }

  enableVersion(name: string, version: string): Promise<void> {
    return this.inner.enableVersion(name, version);
  }

  destroyVersion(name: string, version: string): Promise<void> {
    return this.inner.destroyVersion(name, version);
  }

  listVersions(name: string): Promise<SecretVersionInfo[]> {
    return this.inner.listVersions(name);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
