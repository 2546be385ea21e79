import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');

/**
 * The agent as one self-contained ES module for the boards: only Node is needed there (no npm install,
 * no TypeScript loader), which also saves ~10-30 MB of RSS against running the sources through tsx.
 */
export async function buildAgentBundle(outfile: string): Promise<void> {
  await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
    // Some bundled CommonJS (mqtt's dependencies) calls require(); give the ES module one.
    banner: {
      js: "import { createRequire as __dlbCreateRequire } from 'node:module'; const require = __dlbCreateRequire(import.meta.url);",
    },
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? 'dist/dlb-agent.mjs';
  buildAgentBundle(out).then(
    () =>
      console.log(
        `已生成终端程序 ${out}（部署到板卡：node ${path.basename(out)} --config /etc/dlb/agent.json）`,
      ),
    (e: Error) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
