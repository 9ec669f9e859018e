// What a host that serves this site wrongly looks like from the page, and what to tell its owner
// (docs/self-hosting.md has the headers): the engine failed to start, so find out why.
//   - a Content-Security-Policy without 'wasm-unsafe-eval': WebAssembly may not compile (the JS build still runs)
//   - kiln.wasm not sent as application/wasm: compileStreaming refuses it
//   - engine files missing (a partial copy, a wrong sub-path)
export async function explainEngineFailure(error) {
  const message = String((error && error.message) || error);
  if (/wasm-unsafe-eval|wasm-eval|Content Security Policy|CSP/i.test(message)) {
    return `${message} — this host's Content-Security-Policy does not let WebAssembly compile: add 'wasm-unsafe-eval' `
      + `to script-src (see docs/self-hosting.md), or open this page with ?build=js to use the JavaScript build.`;
  }
  try {
    const res = await fetch(new URL('engine/wasm/kiln.wasm', import.meta.url), { method: 'HEAD', cache: 'no-store' });
    if (!res.ok) {
      return `${message} — the engine is missing on this host (engine/wasm/kiln.wasm answers HTTP ${res.status}): `
        + `copy the whole exported folder, keeping its layout.`;
    }
    const type = res.headers.get('content-type') || '(none)';
    if (!/^application\/wasm\b/i.test(type)) {
      return `${message} — this host sends kiln.wasm as ${type}; WebAssembly needs Content-Type: application/wasm `
        + `(see docs/self-hosting.md), or open this page with ?build=js to use the JavaScript build.`;
    }
  } catch { /* offline: the message says enough */ }
  return message;
}
