import { MemoryVerdictStore } from '@scangate/verdicts';
import { type ContractHarness, type ContractStore, verdictStoreContract } from './verdict-store.contract';

// Embedded mode's store: an injected clock stands in for time, so no test waits for a TTL.
verdictStoreContract('memory', (): ContractHarness => {
  let clock = Date.now();
  const stores: MemoryVerdictStore[] = [];
  return {
    async create(lifetimes) {
      const store = new MemoryVerdictStore({ lifetimes, now: () => clock });
      stores.push(store);
      return store;
    },
    // One process, one store: embedded mode has no other instance to share with.
    async peer(store: ContractStore) {
      return store;
    },
    async pttl(store, key) {
      return (store as MemoryVerdictStore).pttl(key);
    },
    async keysWithoutTtl(store) {
      return [...(store as MemoryVerdictStore).keysOf()].filter(
        (key) => (store as MemoryVerdictStore).pttl(key) === -1,
      );
    },
    now: () => clock,
    async elapse(ms) {
      clock += ms;
    },
    async closeAll() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      clock = Date.now();
    },
  };
});
