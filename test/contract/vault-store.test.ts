/**
 * The vault contract against the local encrypted vault on a shared store (`Store.vaultRecords`, what a bot
 * and its workers on one DATABASE_URL / MONGODB_URI use): on an embedded PostgreSQL always, on MongoDB
 * when `MONGODB_URI` names a server (without it that run is reported as a named skipped test and on
 * stderr, never as a silent pass). Then what only a shared vault must keep: two processes read one vault,
 * the key check value in the store refuses another key at open, a missing key is refused by name, and the
 * store holds ciphertexts only. The run prints which stores it covered.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MongoClient, type Db } from 'mongodb';
import type { Pool } from 'pg';
import type { Store } from '../../ports/store.js';
import { createMongoStore } from '../../storage/mongo/mongo-store.js';
import { LocalEncryptedVault } from '../../storage/vault/local-encrypted-vault.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { describeVaultContract, expectCode } from './vault-contract.js';

/** A store-backed vault's database, as the test sees it beside the adapter. */
interface SharedStore {
  /** A new store on the same database, as another process would open. */
  openStore(): Store;
  /** Every stored vault record (secrets, versions, key check), as text. */
  vaultRows(): Promise<string[]>;
  /** Overwrites a version's sealed value with another version's (a row moved behind the vault's back). */
  copySealed(
    from: { secret: string; version: number },
    to: { secret: string; version: number },
  ): Promise<void>;
  /** Flips one bit of a version's ciphertext. */
  flipBit(secret: string, version: number): Promise<void>;
  keyCheckCount(): Promise<number>;
  teardown(): Promise<void>;
}

interface StoreFactory {
  name: string;
  make(): Promise<SharedStore>;
}

function flip(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = bytes[0]! ^ 1;
  return bytes.toString('base64');
}

const postgres: StoreFactory = {
  name: 'PostgreSQL (embedded)',
  async make() {
    const db: EmbeddedStore = await startEmbeddedStore();
    const connection = db.store.connection();
    if (connection.backend !== 'postgres') throw new Error('expected a PostgreSQL store');
    const pool = connection.pool as Pool;
    const query = async <R extends object>(sql: string, params: unknown[] = []): Promise<R[]> =>
      (await pool.query(sql, params)).rows as R[];
    return {
      openStore: () => db.openAnother(),
      async vaultRows() {
        const rows: string[] = [];
        for (const table of ['vault_secrets', 'vault_secret_versions', 'vault_key_check'])
          for (const row of await query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`))
            rows.push(row.row);
        return rows;
      },
      async copySealed(from, to) {
        await query(
          `UPDATE vault_secret_versions t SET iv = f.iv, tag = f.tag, ciphertext = f.ciphertext
           FROM vault_secret_versions f
           WHERE f.secret = $1 AND f.version = $2 AND t.secret = $3 AND t.version = $4`,
          [from.secret, from.version, to.secret, to.version],
        );
      },
      async flipBit(secret, version) {
        const [row] = await query<{ ciphertext: string }>(
          'SELECT ciphertext FROM vault_secret_versions WHERE secret = $1 AND version = $2',
          [secret, version],
        );
        await query('UPDATE vault_secret_versions SET ciphertext = $3 WHERE secret = $1 AND version = $2', [
          secret,
          version,
          flip(row!.ciphertext),
        ]);
      },
      async keyCheckCount() {
        const [row] = await query<{ n: number }>('SELECT count(*)::int AS n FROM vault_key_check');
        return row!.n;
      },
      teardown: () => db.teardown(),
    };
  },
};

function mongo(uri: string): StoreFactory {
  return {
    name: 'MongoDB',
    async make() {
      const dbName = `olympus_test_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
      const stores: Store[] = [];
      const openStore = () => {
        const store = createMongoStore({ uri, dbName });
        stores.push(store);
        return store;
      };
      const first = openStore();
      await first.init();
      const connection = first.connection();
      if (connection.backend !== 'mongo') throw new Error('expected a MongoDB store');
      const db = connection.db as Db;
      const versions = db.collection<{ _id: string; sealed: { ciphertext: string } | null }>(
        'vaultSecretVersions',
      );
      return {
        openStore,
        async vaultRows() {
          const rows: string[] = [];
          for (const name of ['vaultSecrets', 'vaultSecretVersions', 'vaultKeyCheck'])
            for (const doc of await db.collection(name).find().toArray()) rows.push(JSON.stringify(doc));
          return rows;
        },
        async copySealed(from, to) {
          const source = await versions.findOne({ _id: `${from.secret}/${from.version}` });
          await versions.updateOne(
            { _id: `${to.secret}/${to.version}` },
            { $set: { sealed: source!.sealed } },
          );
        },
        async flipBit(secret, version) {
          const doc = await versions.findOne({ _id: `${secret}/${version}` });
          await versions.updateOne(
            { _id: `${secret}/${version}` },
            { $set: { 'sealed.ciphertext': flip(doc!.sealed!.ciphertext) } },
          );
        },
        keyCheckCount: () => db.collection('vaultKeyCheck').countDocuments(),
        async teardown() {
          for (const store of stores) await store.close();
          const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
          try {
            await client.db(dbName).dropDatabase();
          } finally {
            await client.close();
          }
        },
      };
    },
  };
}

const KEY = randomBytes(32).toString('hex');
const labels = { project: 'p1', purpose: 'test' };

function openOn(store: Store, masterKey: string | null = KEY): Promise<LocalEncryptedVault> {
  return LocalEncryptedVault.openOnStore({
    records: store.vaultRecords,
    storeDescription: 'the test store',
    masterKey,
  });
}

function sharedVaultCases(factory: StoreFactory): void {
  describeVaultContract(`local encrypted vault on ${factory.name}`, async () => {
    const shared = await factory.make();
    const vault = await openOn(shared.openStore());
    return {
      vault,
      async close() {
        await vault.close();
        await shared.teardown();
      },
    };
  });

  describe(`local encrypted vault on ${factory.name}: one vault for every process`, () => {
    let shared: SharedStore;
    beforeAll(async () => {
      shared = await factory.make();
    });
    afterAll(async () => {
      await shared?.teardown();
    });

    test('two processes on one store read each other’s values; concurrent writers get distinct versions', async () => {
      const bot = await openOn(shared.openStore());
      const worker = await openOn(shared.openStore());
      await bot.createSecret('shared', labels);
      expect(await bot.addVersion('shared', 'written-by-the-bot')).toBe('1');
      expect(await worker.access('shared', '1')).toBe('written-by-the-bot');
      await expectCode(worker.createSecret('shared', labels), 'SECRET_EXISTS');
      const ids = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? bot : worker).addVersion('shared', `race-value-${i}`)),
      );
      expect(new Set(ids).size).toBe(20);
      expect(ids.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      for (const [i, id] of ids.entries()) expect(await bot.access('shared', id)).toBe(`race-value-${i}`);
      await worker.disableVersion('shared', '1');
      await expectCode(bot.access('shared', '1'), 'SECRET_DISABLED');
      expect((await bot.listVersions('shared')).map((v) => v.version)).toHaveLength(21);
      expect(await shared.keyCheckCount()).toBe(1);
      await bot.close();
      await worker.close();
    });

    test('a process with another master key is refused at open, by the key check value in the store', async () => {
      const first = await openOn(shared.openStore());
      await first.close();
      const other = randomBytes(32).toString('base64');
      const wrong = openOn(shared.openStore(), other);
      await expectCode(wrong, 'VAULT_KEY_INVALID');
      await expect(wrong).rejects.toThrow(
        /wrong vault master key: the key from OLYMPUS_MASTER_KEY is not the one the vault in the test store was created with/,
      );
      await expect(wrong).rejects.not.toThrow(other);
      expect(await shared.keyCheckCount()).toBe(1);
    });

    test('without OLYMPUS_MASTER_KEY, or with a malformed one, the shared vault refuses by name', async () => {
      for (const missing of [null, '', '  ']) {
        const refused = openOn(shared.openStore(), missing);
        await expectCode(refused, 'CONFIG_INVALID');
        await expect(refused).rejects.toThrow(/OLYMPUS_MASTER_KEY is required.*GCP_PROJECT_ID/);
      }
      await expectCode(openOn(shared.openStore(), 'not-a-key'), 'VAULT_KEY_INVALID');
    });

    test('the store holds ciphertexts only; destroying drops the ciphertext; a moved or altered one fails', async () => {
      const vault = await openOn(shared.openStore());
      const values = ['store-canary-Q7v9x1', 'ünïcødé-store-canary-🔑', 'destroyed-store-canary-ZZ42'];
      await vault.createSecret('canary', labels);
      for (const value of values) await vault.addVersion('canary', value);
      await vault.destroyVersion('canary', '3');
      const rows = await shared.vaultRows();
      expect(rows.length).toBeGreaterThanOrEqual(5);
      for (const row of rows)
        for (const value of values) {
          expect(row).not.toContain(value);
          expect(row).not.toContain(Buffer.from(value).toString('base64'));
        }
      expect(rows.join('\n')).not.toContain(KEY);

      await shared.copySealed({ secret: 'canary', version: 2 }, { secret: 'canary', version: 1 });
      await expectCode(vault.access('canary', '1'), 'VAULT_INTEGRITY');
      await shared.flipBit('canary', 2);
      await expectCode(vault.access('canary', '2'), 'VAULT_INTEGRITY');
      await expectCode(vault.access('canary', '3'), 'SECRET_DESTROYED');
      await expectCode(vault.access('canary', '99999999999'), 'SECRET_NOT_FOUND');
      await vault.close();
    });
  });
}

const uri = process.env.MONGODB_URI;
const factories: StoreFactory[] = [postgres, ...(uri ? [mongo(uri)] : [])];
const skipped = uri ? [] : ['MongoDB (MONGODB_URI is not set: no MongoDB server on this machine)'];

for (const factory of factories) sharedVaultCases(factory);

for (const reason of skipped) {
  process.stderr.write(`shared vault contract skipped: ${reason}\n`);
  test.skip(`vault contract: local encrypted vault on ${reason}`, () => undefined);
}

afterAll(() => {
  const ran = factories.map((factory) => factory.name).join(', ');
  const notRun = skipped.length > 0 ? `; skipped: ${skipped.join(', ')}` : '';
  process.stdout.write(`[contract] vault on a shared store: ${ran}${notRun}\n`);
});
