// TypeScript declarations of kiln.mjs: Kiln's OpenAI-shaped JavaScript API (webclient/README.md).

export type Role = 'system' | 'user' | 'assistant';
export type FinishReason = 'stop' | 'length' | 'abort';
/** An engine error's kind: "input" names the bad parameter in its message. */
export type ErrorKind = 'input' | 'unavailable' | 'device-lost' | 'validation' | 'shader-compile' | 'integrity'
  | 'out-of-memory' | 'bug';

export interface KilnError extends Error {
  kind: ErrorKind;
  /** For kind "input" about a request field: the field (OpenAI's name), e.g. "top_p". */
  param?: string;
}

export interface ChatMessage {
  role: Role;
  content: string;
}

/** Sampling parameters shared by chat and completions; the engine checks their ranges. */
export interface SamplingParams {
  /** Tokens to generate at most. */
  max_tokens?: number;
  /** 0 = greedy. */
  temperature?: number;
  top_p?: number;
  top_k?: number;
  /** Same seed, same answer; without one each request draws a random seed (reported in `kiln.seed`). */
  seed?: number;
  stop?: string | string[];
  repetition_penalty?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  /** Kiln: keep generating past the end-of-sequence token (tests and benchmarks). */
  ignore_eos?: boolean;
  /** Ends the request after the current token (finish_reason "abort"). */
  signal?: AbortSignal;
}

export interface ChatCompletionRequest extends SamplingParams {
  messages: ChatMessage[];
  stream?: boolean;
}

export interface CompletionRequest extends SamplingParams {
  prompt: string;
  stream?: boolean;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Prompt tokens that ran: those after the part of the prompt the KV cache already held. */
  prefilled_tokens: number;
  time_to_first_token_ms: number;
  prefill_tps: number;
  decode_tps: number;
}

/** Kiln's details of a request. */
export interface KilnDetails {
  /** The prompt text the model saw (a chat: the rendered chat template). */
  prompt: string;
  prompt_ids: number[];
  ids: number[];
  /** The seed sampling used. */
  seed: number;
  /** Oldest messages left out because the conversation outgrew the context (never the system message). */
  dropped_messages?: number;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [{ index: 0; message: { role: 'assistant'; content: string }; finish_reason: FinishReason }];
  usage: Usage;
  kiln: KilnDetails;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: [{ index: 0; delta: { content?: string }; finish_reason: FinishReason | null }];
  /** On the last chunk only. */
  usage?: Usage;
  kiln?: KilnDetails;
}

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: [{ index: 0; text: string; finish_reason: FinishReason }];
  usage: Usage;
  kiln: KilnDetails;
}

export interface CompletionChunk {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: [{ index: 0; text: string; finish_reason: FinishReason | null }];
  usage?: Usage;
  kiln?: KilnDetails;
}

/** A streamed answer: iterate with for await; leaving the loop early stops the request. */
export interface Stream<T> extends AsyncIterable<T> {
  abort(): void;
}

export interface ModelInfo {
  name: string;
  precision: 'f16' | 'f32';
  adapter: string;
  /** The model has a chat template (else use completions). */
  chat: boolean;
  /** Tokens the context holds. */
  context: number;
  architecture: string;
  load_ms: number;
  [key: string]: unknown;
}

export interface Progress {
  phase: 'manifest' | 'download' | 'verify' | 'upload' | 'compile' | 'ready';
  bytes_done: number;
  bytes_total: number;
  shards_done: number;
  shards_total: number;
}

/** GPU time of one decode token by kernel role (`KilnEngine.profile`). */
export interface Profile {
  /** How it was measured, e.g. "wall clock per role, 10 repeats, empty-submit overhead subtracted". */
  method: string;
  /** The position profiled: attention reads the KV cache up to it. */
  position: number;
  repeats: number;
  /** An empty submit and its wait, subtracted from every role's time. */
  overhead_ms: number;
  /** In order of first use in a token; a role runs alone, so their sum need not equal a token's decode time. */
  roles: { role: string; dispatches: number; ms_per_token: number }[];
}

export interface LoadOptions {
  /** Default: 'wasm' where WebAssembly GC is supported, else 'js'. */
  build?: 'wasm' | 'js';
  /** Default 'auto': f16 where the adapter has shader-f16. */
  precision?: 'auto' | 'f16' | 'f32';
  onProgress?: (progress: Progress) => void;
}

export interface KilnEngine {
  chat: {
    completions: {
      create(request: ChatCompletionRequest & { stream: true }): Promise<Stream<ChatCompletionChunk>>;
      create(request: ChatCompletionRequest & { stream?: false }): Promise<ChatCompletion>;
    };
  };
  completions: {
    create(request: CompletionRequest & { stream: true }): Promise<Stream<CompletionChunk>>;
    create(request: CompletionRequest & { stream?: false }): Promise<Completion>;
  };
  info(): ModelInfo;
  /** Ends the running request after the current token (finish_reason "abort"). */
  interruptGenerate(): void;
  /** A test hook: destroys the GPU device as a driver reset would; the next request recovers from the model store. */
  loseDevice(): void;
  /** Settles when every request queued so far has finished. */
  idle(): Promise<void>;
  /**
   * A developer's tool: GPU time of one more decode token by kernel role, after the requests queued so far (each
   * role's dispatches `repeats` times, at least 1, in one submit, timed with the wall clock).
   */
  profile(repeats: number): Promise<Profile>;
  /** Stops a running request, then frees the GPU device. */
  close(): Promise<void>;
}

/** Loads a packaged model (its manifest.json URL) on this thread. */
export function load(manifestUrl: string, options?: LoadOptions): Promise<KilnEngine>;

/** A model kept in this browser's model store. */
export interface CachedModel {
  id: string;
  name: string;
  manifest_url: string;
  size_bytes: number;
  shards: number;
  /** every shard is stored */
  complete: boolean;
  /** ISO 8601 time it was stored */
  stored_at: string;
}

/** The models kept in this browser's model store (empty where there is none: Node, no OPFS/Cache API). */
export function listCachedModels(): Promise<CachedModel[]>;

/** Whether the store holds every shard of the model. */
export function hasModelInCache(id: string): Promise<boolean>;

/** Deletes a stored model and the shards no other stored model uses; resolves with the bytes freed. */
export function deleteCachedModel(id: string): Promise<number>;

/** Whether loading the model downloads nothing (the store, or without one the HTTP cache, holds all of it). */
export function isCached(manifestUrl: string): Promise<boolean>;

/** The API over a raw engine object (the Java export, or a bridge with the same methods). */
export function wrapEngine(raw: object): KilnEngine;

export function wasmGcSupported(): boolean;

/** The raw exports ({demo, load}) of one build. */
export function importBuild(build: 'wasm' | 'js'): Promise<object>;
