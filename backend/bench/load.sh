#!/usr/bin/env bash
# Load measurement of shard serving (issue 5 §6): wrk against a started `kiln serve` over loopback with 1, 16 and
# 64 connections, for a 32 MiB shard (the default shard size) and for stories260K's 1.2 MB shard.
# Prints one Markdown table row per run: MB/s, requests/s, p99 latency, errors, server RSS (peak during the run).
# Needs: wrk (apt-get install wrk), python3, the backend built (mvn -pl backend -am install -DskipTests).
# Usage: backend/bench/load.sh [seconds per run, default 10]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SECS="${1:-10}"
PORT="${KILN_BENCH_PORT:-18765}"
WORK="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

# a packaged model whose one shard is 32 MiB of random bytes (one f32 tensor 2048 x 4096)
python3 - "$WORK/big" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]; os.makedirs(d)
rows, cols = 2048, 4096
data = os.urandom(rows * cols * 4); h = hashlib.sha256(data).hexdigest()
shard = f"shard-00000-{h[:16]}.bin"; open(f"{d}/{shard}", "wb").write(data)
tok = b'{"tokens":["<unk>","<s>","</s>"]}'; tokf = f"tokenizer-{hashlib.sha256(tok).hexdigest()[:16]}.json"
open(f"{d}/{tokf}", "wb").write(tok)
cfg = {"architecture": "llama", "dim": cols, "layers": 1, "heads": 32, "kv_heads": 32, "head_size": 128, "ffn": 11008,
       "vocab": rows, "norm_eps": 1e-5, "rope_base": 10000.0, "rope_style": "interleaved", "context": 2048, "bos": 1,
       "eos": 2, "tied_embeddings": True}
json.dump({"format": "kiln-model", "version": 1, "name": "bench-32MiB", "config": cfg, "tokenizer": tokf,
           "tensors": [{"name": "token_embd.weight", "shape": [rows, cols], "dtype": "f32", "shard": 0, "offset": 0,
                        "length": rows * cols * 4}],
           "shards": [{"file": shard, "size": len(data), "sha256": h}]}, open(f"{d}/manifest.json", "w"))
PY
MODELS=(--model "$WORK/big")
STORIES="$ROOT/../shared/models/stories260K/stories260K.gguf"
[ -f "$STORIES" ] && MODELS+=(--model "$STORIES")

java -cp "cli/target/classes:$(cat cli/target/classpath.txt)" dev.kiln.cli.Kiln serve --port "$PORT" \
  --site-dir "$WORK" --cache-dir "$WORK/cache" "${MODELS[@]}" > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/api/models" -o "$WORK/models.json" && break; sleep 0.5; done
[ -s "$WORK/models.json" ] || { cat "$WORK/server.log" >&2; echo "the server did not start" >&2; exit 1; }

shard_url() { # shard_url <id>
  python3 -c 'import json,sys,urllib.request as u; b="http://127.0.0.1:'"$PORT"'"; m=json.load(u.urlopen(b+"/models/"+sys.argv[1]+"/manifest.json")); print(b+"/models/"+sys.argv[1]+"/"+m["shards"][0]["file"])' "$1"
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }

echo "| file | connections | MB/s | requests/s | p99 latency | errors | server RSS peak (MiB) |"
echo "|---|---|---|---|---|---|---|"
for id in bench; do :; done
for target in big stories260k; do
  grep -q "\"id\":\"$target\"" "$WORK/models.json" || continue
  url="$(shard_url "$target")"
  curl -s "$url" -o /dev/null # warm the page cache and the JIT once
  for c in 1 16 64; do
    t=$(( c < 2 ? 1 : 2 ))
    peak=0
    ( while kill -0 "$SERVER" 2>/dev/null; do rss_kib; sleep 0.25; done ) > "$WORK/rss" &
    SAMPLER=$!
    wrk -t"$t" -c"$c" -d"${SECS}s" --latency --timeout 30s "$url" > "$WORK/wrk.txt" 2>&1
    kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true
    peak=$(sort -n "$WORK/rss" | tail -1)
    rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
    tr=$(awk '/Transfer\/sec/ {print $2}' "$WORK/wrk.txt")
    p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.txt"); non2xx=${non2xx:-0}
    sock=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' "$WORK/wrk.txt"); sock=${sock:-0}
    mbs=$(python3 -c 'import sys; v=sys.argv[1]; u={"B":1,"KB":1024,"MB":1024**2,"GB":1024**3}; n=float(v[:-2] if v[-2:] in u else v[:-1]); k=v[-2:] if v[-2:] in u else v[-1:]; print(f"{n*u[k]/1e6:.0f}")' "$tr")
    echo "| $target shard | $c | $mbs | $rps | $p99 | $((non2xx + sock)) | $(( peak / 1024 )) |"
  done
done
echo
echo "server: $(grep -m1 'listening on' "$WORK/server.log" || true)"
echo "java: $(java -version 2>&1 | head -1); cores: $(nproc); wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
