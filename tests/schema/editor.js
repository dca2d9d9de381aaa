// What an editor shows for scenario and fixture files: the YAML language server editors run
// (npm yaml-language-server, behind VS Code's Red Hat YAML extension), driven over stdio as an
// editor drives it. Each file's schema comes from its modeline, as in an editor.
//
// Usage:
//   node editor.js diagnose FILE...        one JSON line per file: {file, diagnostics: [[line, message]]}
//   node editor.js complete PATH LINE COL  the text on stdin, as if opened at PATH; prints the
//                                          completion items as JSON: [[label, documentation]]
const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");

const modules = process.env.NPM_MODULES_DIR || path.join(__dirname, "../../target/npm/node_modules");
const server = spawn(process.execPath, [
  path.join(modules, "yaml-language-server", "bin", "yaml-language-server"),
  "--stdio",
]);
// A language server that never answers must not hang the test.
setTimeout(() => {
  console.error("the language server did not answer in 60 s");
  process.exit(2);
}, 60000).unref();

let input = Buffer.alloc(0);
let nextId = 0;
const answers = {};
const diagnosed = {};

function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }));
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}

function request(method, params) {
  const id = ++nextId;
  send({ id, method, params });
  return new Promise((resolve) => (answers[id] = resolve));
}

function receive(message) {
  if (message.method && message.id !== undefined) {
    // The server asks for settings: validation, completion and hover on, as an editor has them.
    const result =
      message.method === "workspace/configuration"
        ? message.params.items.map(() => ({ validate: true, completion: true, hover: true }))
        : null;
    send({ id: message.id, result });
  } else if (message.id !== undefined) {
    answers[message.id](message.result);
  } else if (message.method === "textDocument/publishDiagnostics") {
    const waiting = diagnosed[message.params.uri];
    if (waiting) waiting(message.params.diagnostics);
  }
}

server.stdout.on("data", (data) => {
  input = Buffer.concat([input, data]);
  for (;;) {
    const end = input.indexOf("\r\n\r\n");
    if (end < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(input.slice(0, end).toString())[1]);
    if (input.length < end + 4 + length) return;
    receive(JSON.parse(input.slice(end + 4, end + 4 + length).toString()));
    input = input.slice(end + 4 + length);
  }
});

function open(file, text) {
  const uri = "file://" + path.resolve(file);
  const diagnostics = new Promise((resolve) => (diagnosed[uri] = resolve));
  send({
    method: "textDocument/didOpen",
    params: { textDocument: { uri, languageId: "yaml", version: 1, text } },
  });
  return { uri, diagnostics };
}

(async () => {
  const [mode, ...args] = process.argv.slice(2);
  await request("initialize", {
    processId: process.pid,
    rootUri: "file://" + process.cwd(),
    capabilities: { workspace: { configuration: true } },
  });
  send({ method: "initialized", params: {} });
  send({
    method: "workspace/didChangeConfiguration",
    params: { settings: { yaml: { validate: true, completion: true, hover: true } } },
  });
  if (mode === "diagnose") {
    for (const file of args) {
      const found = await open(file, fs.readFileSync(file, "utf8")).diagnostics;
      const diagnostics = found.map((d) => [d.range.start.line + 1, d.message]);
      console.log(JSON.stringify({ file, diagnostics }));
    }
  } else if (mode === "complete") {
    const [file, line, character] = args;
    const { uri, diagnostics } = open(file, fs.readFileSync(0, "utf8"));
    await diagnostics;
    const answer = await request("textDocument/completion", {
      textDocument: { uri },
      position: { line: Number(line) - 1, character: Number(character) },
    });
    const items = Array.isArray(answer) ? answer : answer.items;
    const documentation = (d) => (d && typeof d === "object" ? d.value : d || "");
    console.log(JSON.stringify(items.map((i) => [i.label, documentation(i.documentation)])));
  } else {
    console.error("usage: node editor.js diagnose FILE... | complete PATH LINE COL");
    process.exit(2);
  }
  server.kill();
  process.exit(0);
})();
