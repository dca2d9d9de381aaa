// Validates HAR files against the HAR 1.2 schema with an independent reader (npm har-validator,
// which `cargo xtask test` installs under target/npm). Usage: node validate.js FILE...
// Prints "valid N" per file (N entries); exits 1 at the first invalid one.
const path = require("path");
const fs = require("fs");
const modules = process.env.HAR_VALIDATOR_DIR || path.join(__dirname, "../../target/npm/node_modules");
const validator = require(path.join(modules, "har-validator"));

(async () => {
  for (const file of process.argv.slice(2)) {
    const har = JSON.parse(fs.readFileSync(file, "utf8"));
    try {
      await validator.har(har);
      console.log(`valid ${har.log.entries.length} ${file}`);
    } catch (e) {
      console.log(`invalid ${file}: ${JSON.stringify(e.errors || e.message)}`);
      process.exit(1);
    }
  }
})();
