// The model store's fallback where the Origin Private File System is missing: the few directory and file calls the
// store makes (model-store.js), kept in the Cache API. A folder is one Cache ('kiln-store/<path>'), a file one entry
// (its key a never-fetched same-origin URL). A writable keeps its bytes in memory and puts them on close(), so a
// download interrupted before close() keeps what the previous try closed — the store closes after every try.
const notFound = (name) => new DOMException(`${name} is not stored`, 'NotFoundError');

export class CacheDir {
  constructor(name) {
    this.name = name;
    this.kind = 'directory';
  }

  key(file) { return new URL(`/.kiln-store/${encodeURIComponent(this.name)}/${encodeURIComponent(file)}`, location.origin).href; }

  cache() { return caches.open(this.name); }

  async getDirectoryHandle(name) { return new CacheDir(this.name + '/' + name); }

  async getFileHandle(name, options = {}) {
    const c = await this.cache();
    if (!(await c.match(this.key(name)))) {
      if (!options.create) throw notFound(name);
      await c.put(this.key(name), new Response(new Blob([])));
    }
    return new CacheFile(this, name);
  }

  async removeEntry(name) {
    if (!(await (await this.cache()).delete(this.key(name)))) throw notFound(name);
  }

  async *entries() {
    for (const req of await (await this.cache()).keys()) {
      const name = decodeURIComponent(new URL(req.url).pathname.split('/').pop());
      yield [name, new CacheFile(this, name)];
    }
  }

  async *keys() {
    for await (const [name] of this.entries()) yield name;
  }
}

class CacheFile {
  constructor(dir, name) {
    this.dir = dir;
    this.name = name;
    this.kind = 'file';
  }

  /** The stored bytes as a Blob (size, arrayBuffer(), text()), like FileSystemFileHandle.getFile(). */
  async getFile() {
    const res = await (await this.dir.cache()).match(this.dir.key(this.name));
    if (!res) throw notFound(this.name);
    return await res.blob();
  }

  async createWritable(options = {}) {
    let body = options.keepExistingData ? await this.getFile() : new Blob([]);
    const parts = [];
    const current = () => new Blob([body, ...parts]);
    const file = this;
    return {
      async seek(position) {
        body = current().slice(0, position);
        parts.length = 0;
      },
      async truncate(size) {
        body = current().slice(0, size);
        parts.length = 0;
      },
      async write(data) { parts.push(data); },
      async close() { await (await file.dir.cache()).put(file.dir.key(file.name), new Response(current())); },
    };
  }

  async move(dir, name) {
    const blob = await this.getFile();
    await (await dir.cache()).put(dir.key(name), new Response(blob));
    await this.dir.removeEntry(this.name);
  }
}
