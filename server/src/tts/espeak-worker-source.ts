/**
 * The code of the speech worker thread, as text: it is started with `new Worker(source, { eval: true })`, so
 * it runs the same under tsx, vitest, plain node or a bundle, with no second file to ship or transpile.
 *
 * The worker compiles the espeak-ng WASM once, then gives every job a fresh WASM instance (own memory, own
 * virtual file system): the Emscripten build is a command-line program with global state and a fixed 32 MB
 * heap, so an instance is never reused. `quit` is overridden so that espeak's exit() never touches
 * `process.exitCode`.
 *
 * Messages in:  { id, args: string[], text: string }
 * Messages out: { id, ok: true, wav: Uint8Array } | { id, ok: false, error: string, status: number, stderr: string[] }
 */
export const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');

const ready = (async () => {
  const factory = (await import(workerData.moduleUrl)).default;
  const wasm = await WebAssembly.compile(readFileSync(workerData.wasmPath));
  return { factory, wasm };
})();
// Reported per job below; this keeps a load failure from also being an unhandled rejection.
ready.catch(() => {});

async function run(job) {
  const { factory, wasm } = await ready;
  const stderr = [];
  let status = 0;
  let failInstantiate;
  const instantiateFailed = new Promise((_, reject) => {
    failInstantiate = reject;
  });
  const moduleP = factory({
    arguments: job.args,
    print() {},
    printErr(line) {
      const s = String(line);
      if (s.includes('keepRuntimeAlive')) return;
      if (stderr.length < 20) stderr.push(s.slice(0, 300));
    },
    quit(code, toThrow) {
      status = code;
      throw toThrow;
    },
    preRun: [(m) => m.FS.writeFile('/in.txt', job.text)],
    instantiateWasm(imports, done) {
      WebAssembly.instantiate(wasm, imports).then(
        (instance) => {
          try {
            done(instance);
          } catch (e) {
            // main() threw out of the runtime (a WASM trap): report it instead of hanging.
            failInstantiate(e);
          }
        },
        (e) => failInstantiate(e),
      );
      return {};
    },
  });
  const m = await Promise.race([moduleP, instantiateFailed]);
  if (status !== 0) return { ok: false, error: 'espeak exited with status ' + status, status, stderr };
  let wav;
  try {
    wav = m.FS.readFile('/out.wav');
  } catch {
    return { ok: false, error: 'espeak wrote no output', status, stderr };
  }
  return { ok: true, wav };
}

parentPort.on('message', (job) => {
  run(job).then(
    (r) => {
      if (r.ok) parentPort.postMessage({ id: job.id, ok: true, wav: r.wav }, [r.wav.buffer]);
      else parentPort.postMessage({ id: job.id, ...r });
    },
    (e) => {
      const error = String((e && e.message) || e).slice(0, 500);
      parentPort.postMessage({ id: job.id, ok: false, error, status: -1, stderr: [] });
    },
  );
});
`;
