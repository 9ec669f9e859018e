// Loads the engine compiled from Java: the WebAssembly GC build where the browser supports it (Chrome 119+),
// the JavaScript build otherwise. Both export the same API (webclient/README.md).
// Both run under a CSP without 'unsafe-eval': the Wasm GC runtime served here is the site build's patched copy
// (site/src/build, dev.kiln.csp), which evaluates no strings and takes every @JSBody function precompiled from
// engine/wasm/kiln.jsbody.js; TeaVM's JavaScript build never evaluates strings.

// (module (type (struct))) — valid only where WebAssembly GC is supported.
const GC_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 3, 1, 0x5f, 0]);

export function wasmGcSupported() {
  try { return WebAssembly.validate(GC_PROBE); } catch { return false; }
}

export async function loadKiln(forced) {
  const build = forced === 'js' || forced === 'wasm' ? forced : (wasmGcSupported() ? 'wasm' : 'js');
  if (build === 'wasm') {
    const runtime = await import('./engine/wasm/kiln.wasm-runtime.js');
    const teavm = await runtime.load(new URL('./engine/wasm/kiln.wasm', import.meta.url).href);
    const api = teavm.exports;
    return { build: 'WebAssembly GC', demo: api.demo, load: api.load };
  }
  const api = await import('./engine/js/kiln.js');
  return { build: 'JavaScript', demo: api.demo, load: api.load };
}
