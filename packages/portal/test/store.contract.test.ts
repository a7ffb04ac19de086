import { after, before, describe } from 'node:test';
import { type Db, openDatabase } from '../src/store/database.ts';
import { storeContract } from './storeContract.ts';
import { postgresEngine, type StoreEngine, sqliteEngine } from './storeEngines.ts';
import { storeRaces } from './storeRaces.ts';

/** One suite, every engine the store runs on (PostgreSQL starts here unless MULTIDESK_TEST_POSTGRES names one). */
for (const engine of [sqliteEngine, postgresEngine()] satisfies StoreEngine[]) {
  describe(`the store on ${engine.name}`, { skip: engine.skip ?? false }, () => {
    let created: Awaited<ReturnType<StoreEngine['create']>> | undefined;
    const dbs: Db[] = [];
    before(async () => {
      created = await engine.create();
      // SQLite runs as one instance; PostgreSQL serves several, each with a pool of its own.
      for (let i = 0; i < (engine.name === 'postgres' ? 3 : 1); i++) dbs.push(await openDatabase(created.location));
    });
    after(async () => {
      for (const db of dbs) await db.destroy();
      await created?.remove();
      engine.close();
    });
    describe('contract', () => storeContract({ engine, db: () => dbs[0] as Db }));
    describe('races between instances', () => storeRaces(() => dbs));
  });
}
