// Hugging Face's own JavaScript tokenizer (npm @huggingface/tokenizers, pure JS) as a reference for the JVM tests
// (dev.kiln.golden.HfReference). One JSON request on stdin, one JSON answer on stdout:
//
//   {"tokenizer": {…tokenizer.json…}, "config": {…tokenizer_config.json…} (optional),
//    "texts": ["…", …], "add_special_tokens": false, "skip_special_tokens": true}
//     -> {"ok": true, "ids": [[…], …], "decoded": ["…", …]}
//   decoded[i] is decode(ids[i]) without clean-up of tokenization spaces, special tokens skipped unless
//   skip_special_tokens is false ("" for no ids).
//   A failure answers {"ok": false, "error": "…"} and exits 1.

import fs from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';

try {
  const req = JSON.parse(fs.readFileSync(0, 'utf8'));
  const tok = new Tokenizer(req.tokenizer, req.config ?? {});
  const addSpecial = req.add_special_tokens ?? false;
  const ids = req.texts.map(t => tok.encode(t, { add_special_tokens: addSpecial }).ids);
  const skip = req.skip_special_tokens ?? true;
  const decoded = ids.map(i => (i.length ? tok.decode(i, { skip_special_tokens: skip, clean_up_tokenization_spaces: false }) : ''));
  process.stdout.write(JSON.stringify({ ok: true, ids, decoded }));
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(e && e.stack || e) }));
  process.exitCode = 1;
}
