// The models kept in this browser (model-store.js): a small section listing them with their sizes, delete one or
// all, how much storage the site uses, and whether the browser keeps it persistently (asked once here:
// navigator.storage.persist() exists only on pages, not in the engine's Worker).
import { available, listCachedModels, deleteCachedModel, deleteAllCachedModels } from './model-store.js';

const mb = (n) => (n / 1e6).toFixed(1) + ' MB';
const section = document.createElement('section');
section.id = 'stored';
section.innerHTML = '<h2>Stored in this browser</h2><p id="stored-usage"></p><ul id="stored-list"></ul>'
  + '<button id="stored-clear" type="button">Delete all</button>';

export async function refreshStoredModels() {
  const list = section.querySelector('#stored-list');
  const usage = section.querySelector('#stored-usage');
  list.textContent = '';
  const models = await listCachedModels();
  for (const m of models) {
    const li = document.createElement('li');
    li.dataset.id = m.id;
    li.textContent = `${m.id} — ${mb(m.size_bytes)}, ${m.shards} shard${m.shards === 1 ? '' : 's'}`
      + (m.complete ? '' : ' (incomplete)') + ' ';
    const del = document.createElement('button');
    del.type = 'button';
    del.textContent = 'Delete';
    del.addEventListener('click', async () => { await deleteCachedModel(m.id); await refreshStoredModels(); });
    li.append(del);
    list.append(li);
  }
  section.querySelector('#stored-clear').hidden = models.length === 0;
  const storage = navigator.storage || {};
  const { usage: used = 0, quota = 0 } = storage.estimate ? await storage.estimate() : {};
  const persisted = storage.persisted ? await storage.persisted() : false;
  usage.textContent = (models.length ? '' : 'No model is stored yet. ') + `This site uses ${mb(used)} of ${mb(quota)}`
    + ' the browser allows; ' + (persisted ? 'the browser keeps it (persistent storage granted).'
      : 'the browser may evict it when space runs low (persistent storage not granted).');
  section.dataset.count = String(models.length);
}

if (available) {
  (document.querySelector('main') || document.body).append(section);
  section.querySelector('#stored-clear').addEventListener('click', async () => {
    await deleteAllCachedModels();
    await refreshStoredModels();
  });
  (navigator.storage && navigator.storage.persist ? navigator.storage.persist() : Promise.resolve(false))
    .catch(() => false).then(refreshStoredModels);
}
