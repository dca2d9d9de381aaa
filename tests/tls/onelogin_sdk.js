// OneLogin's own npm SDK (@onelogin/sdk 1.0.9, fidelity/onelogin §5), which forces https: it
// reads the Asana app through the fake OneLogin's API. The CA comes from NODE_EXTRA_CA_CERTS.
// Usage: node onelogin_sdk.js BASE_URL CLIENT_ID CLIENT_SECRET APP_ID. Prints the app's name.
const path = require("path");
const modules = process.env.NPM_MODULES_DIR || path.join(__dirname, "../../target/npm/node_modules");
const { Client } = require(path.join(modules, "@onelogin/sdk"));
const [baseURL, clientID, clientSecret, appID] = process.argv.slice(2);

(async () => {
  const client = new Client({ clientID, clientSecret, baseURL, timeout: 10000 });
  try {
    const app = await client.appsRepository.FindByID(Number(appID));
    const found = app && (app.name || (app.data && app.data.name));
    console.log(found ? `app ${found}` : `no app: ${JSON.stringify(app)}`);
    process.exit(found ? 0 : 1);
  } catch (e) {
    console.log(`error ${e.code || ""} ${e.message}`);
    process.exit(2);
  }
})();
