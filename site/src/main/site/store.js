// Conversations kept in this browser's IndexedDB (database "kiln", store "conversations"), never sent anywhere.
// A conversation: {id, title, model (manifest URL it last ran on), system, messages: [{role, content, stats?}],
// updated (ms since the epoch)}.

const DB = 'kiln';
const STORE = 'conversations';

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** The store, or null where IndexedDB is unavailable (private modes of some browsers): the page then keeps none. */
export async function openStore() {
  if (!globalThis.indexedDB) return null;
  const open = indexedDB.open(DB, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'id' });
  let db;
  try {
    db = await request(open);
  } catch {
    return null;
  }
  const tx = (mode) => db.transaction(STORE, mode).objectStore(STORE);
  return {
    /** Every conversation, the most recently updated first. */
    async all() {
      const list = await request(tx('readonly').getAll());
      return list.sort((a, b) => b.updated - a.updated);
    },
    put: (conversation) => request(tx('readwrite').put(conversation)),
    delete: (id) => request(tx('readwrite').delete(id)),
    clear: () => request(tx('readwrite').clear()),
  };
}
