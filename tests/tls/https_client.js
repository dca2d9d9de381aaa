// An HTTPS-only client, as OneLogin's npm SDK is (it forces https, fidelity/onelogin §5): Node's
// https module verifies the chain against the CA it is given and refuses a plain http:// URL.
// Usage: node https_client.js URL CA_FILE [BEARER]. Prints the status, or why it refused.
const https = require("https");
const fs = require("fs");
const [url, caFile, token] = process.argv.slice(2);
const headers = token ? { Authorization: `Bearer ${token}` } : {};
try {
  const req = https.get(url, { ca: fs.readFileSync(caFile), headers }, (res) => {
    res.resume();
    res.on("end", () => {
      console.log(`status ${res.statusCode}`);
      process.exit(res.statusCode < 400 ? 0 : 1);
    });
  });
  req.on("error", (e) => {
    console.log(`error ${e.code}: ${e.message}`);
    process.exit(2);
  });
} catch (e) {
  console.log(`refused ${e.code}: ${e.message}`);
  process.exit(3);
}
