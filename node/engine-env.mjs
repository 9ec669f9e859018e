// WebGPU for the compiled engine in Node: Dawn (npm `webgpu`) installed as the browser's globals, so the TeaVM JS
// build finds `navigator.gpu`, GPUBufferUsage and friends as it would in a page.
//
// Dawn's main thread busy-waits in setImmediate and steals lavapipe's cores; routing it through setTimeout gives
// them back for about 1 ms per wait (../shared/notes/webgpu-on-cpu.md). Set VK_ICD_FILENAMES to pick the driver
// (lavapipe: /usr/share/vulkan/icd.d/lvp_icd.json).
//
// Usage: import { loadEngineBuild } from './engine-env.mjs'; const kiln = await loadEngineBuild();

import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

globalThis.setImmediate = (fn, ...args) => setTimeout(fn, 0, ...args);
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
const gpu = create([]);
if (typeof globalThis.navigator === 'undefined') {
  globalThis.navigator = { gpu };
} else {
  Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The JS build of the engine: its ES module exports (demo, load). KILN_WEBCLIENT overrides the build folder. */
export async function loadEngineBuild() {
  const dir = process.env.KILN_WEBCLIENT || path.join(here, '..', 'webclient', 'target', 'webclient');
  return import(pathToFileURL(path.join(dir, 'js', 'kiln.js')).href);
}
