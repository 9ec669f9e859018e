// Runs the engine's Foundation kernel check (demo()) in Node with Dawn and prints its JSON report on stdout.
// Used by the webclient tests; `node node/demo.mjs` by hand shows what the page's "Kernel check" shows.
import { loadEngineBuild } from './engine-env.mjs';

try {
  const kiln = await loadEngineBuild();
  process.stdout.write(await kiln.demo() + '\n');
  process.exit(0);
} catch (e) {
  process.stderr.write(`demo failed (${e.kind || 'error'}): ${e.message}\n`);
  process.exit(1);
}
