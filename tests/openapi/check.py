"""The OpenAPI documents of both fakes' `/__admin`, checked against the fakes themselves.

    check.py DOCS_DIR ASANA_ORIGIN ONELOGIN_ORIGIN ADMIN_TOKEN SERVICE_ACCOUNT_TOKEN

Each document is validated as OpenAPI 3.1 by `openapi-spec-validator`. Then every operation it
describes is called on the live fake (one started with `--admin-token`): its success, and its
errors (401 without the token, 415 for a write not declared JSON, and the operation's own). Each
answer's status must be one the operation documents, and its body must validate, with
`jsonschema` (Draft 2020-12, the dialect of OpenAPI 3.1), against the schema documented for that
status; a documented operation that no call reached, or one whose documented errors no call
reached, fails the check. A method a path does not document must be refused with 405 in the
fake's error format. Both tools are pinned by `cargo xtask test`.

Prints one line per fake and exits 0 when all holds; otherwise lists every problem, exits 1.
"""

import json
import os
import sys
import urllib.error
import urllib.request

from jsonschema import Draft202012Validator
from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

METHODS = ["get", "put", "post", "delete", "patch"]


def pointer(*parts):
    """A JSON pointer to `parts` (RFC 6901)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class Answer:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.json = None
        if raw:
            try:
                self.json = json.loads(raw)
            except ValueError:
                pass


class Fake:
    """One fake and its document: calls operations, checks every answer against the document."""

    def __init__(self, name, doc_path, origin, token, error_schema):
        self.name = name
        self.origin = origin.rstrip("/")
        self.token = token
        with open(doc_path, "rb") as f:
            self.doc_bytes = f.read()
        self.doc = json.loads(self.doc_bytes)
        self.uri = f"urn:asana-harness:openapi:{name}"
        self.registry = Registry().with_resource(
            self.uri, Resource.from_contents(self.doc, default_specification=DRAFT202012)
        )
        self.error_schema = error_schema
        self.problems = []
        self.calls = 0
        # operationId -> statuses seen
        self.seen = {}
        self.operations = {}
        for template, item in self.doc["paths"].items():
            for method in METHODS:
                if method in item:
                    self.operations[(method, template)] = item[method]
                    self.seen[item[method]["operationId"]] = set()

    def problem(self, text):
        self.problems.append(f"{self.name}: {text}")

    def validate_spec(self):
        for error in OpenAPIV31SpecValidator(self.doc).iter_errors():
            self.problem(f"not valid OpenAPI 3.1: {error.message}")

    def validate(self, instance, location, what):
        validator = Draft202012Validator({"$ref": f"{self.uri}#{location}"}, registry=self.registry)
        for error in validator.iter_errors(instance):
            path = "/".join(str(p) for p in error.absolute_path)
            self.problem(f"{what}: body at /{path}: {error.message[:300]}")

    def send(self, method, path, body=None, raw=None, auth=True, json_type=True, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.origin + path, data=data, method=method.upper())
        if auth:
            request.add_header("Authorization", f"Bearer {self.token}")
        if json_type:
            request.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            request.add_header(k, v)
        self.calls += 1
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return Answer(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.headers, e.read())

    def response_location(self, method, template, status):
        """The JSON pointer of the documented response for `status`, its `$ref` followed."""
        responses = self.operations[(method, template)]["responses"]
        key = str(status)
        if key not in responses:
            return None, None
        location = pointer("paths", template, method, "responses", key)
        response = responses[key]
        if "$ref" in response:
            location = response["$ref"].lstrip("#")
            response = self.doc
            for part in location.strip("/").split("/"):
                response = response[part.replace("~1", "/").replace("~0", "~")]
        return location, response

    def call(self, method, template, expect, params=None, query="", **kw):
        """Calls the operation `method template` and checks the answer against the document:
        the status must be `expect` and documented, and the body must match its schema."""
        path = template
        for k, v in (params or {}).items():
            path = path.replace("{" + k + "}", str(v))
        answer = self.send(method, path + query, **kw)
        what = f"{method.upper()} {path}{query} -> {answer.status}"
        op = self.operations.get((method, template))
        if op is None:
            self.problem(f"{what}: the document has no {method.upper()} {template}")
            return answer
        self.seen[op["operationId"]].add(answer.status)
        if answer.status != expect:
            self.problem(f"{what}: expected {expect}: {answer.raw[:300]!r}")
        location, response = self.response_location(method, template, answer.status)
        if location is None:
            self.problem(f"{what}: status {answer.status} is not documented")
            return answer
        content = response.get("content")
        if content:
            media = answer.headers.get("Content-Type", "")
            if not media.startswith("application/json"):
                self.problem(f"{what}: Content-Type {media!r}, documented application/json")
            elif answer.json is None:
                self.problem(f"{what}: the body is not JSON: {answer.raw[:200]!r}")
            else:
                self.validate(answer.json, location + pointer("content", "application/json", "schema"), what)
        elif answer.raw:
            self.problem(f"{what}: documented without a body, got {answer.raw[:200]!r}")
        return answer

    def guards(self):
        """The errors every operation shares: 401 without the token, 415 for a write that is
        not declared JSON, 413 for a body too large, 421 for a foreign `Host`."""
        for (method, template), op in self.operations.items():
            params = {p["name"]: "1" for p in self.parameters(method, template)}
            responses = op["responses"]
            if "401" in responses:
                self.call(method, template, 401, params=params, auth=False)
            if "415" in responses:
                self.call(method, template, 415, params=params, json_type=False)
            if "413" in responses:
                self.call(method, template, 413, params=params, raw=b"[" + b" " * (3 * 1024 * 1024) + b"]")
            self.call(method, template, 421, params=params, headers={"Host": "rebinding.example"})

    def parameters(self, method, template):
        item = self.doc["paths"][template]
        return [p for p in item.get("parameters", []) + item[method].get("parameters", []) if p["in"] == "path"]

    def undocumented_methods(self):
        """A method a documented path does not list is refused: 405 in the fake's format."""
        for template, item in self.doc["paths"].items():
            path = template.replace("{id}", "1").replace("{app}", "1").replace("{cert}", "1")
            for method in METHODS:
                if method in item:
                    continue
                answer = self.send(method, path)
                what = f"{method.upper()} {path} (undocumented) -> {answer.status}"
                if answer.status != 405:
                    self.problem(f"{what}: expected 405")
                elif answer.json is None:
                    self.problem(f"{what}: the body is not JSON: {answer.raw[:200]!r}")
                else:
                    self.validate(answer.json, pointer("components", "schemas", self.error_schema), what)

    def served_document(self):
        answer = self.call("get", "/__admin/openapi.json", 200, auth=False)
        if answer.raw != self.doc_bytes:
            self.problem("the served /__admin/openapi.json differs from the committed document")

    def coverage(self):
        for (method, template), op in self.operations.items():
            seen = self.seen[op["operationId"]]
            documented = {int(s) for s in op["responses"]}
            if not any(200 <= s < 300 for s in seen):
                self.problem(f"{method.upper()} {template}: no call succeeded")
            errors = {s for s in documented if s >= 400 and s != 421}
            if errors and not (seen & errors):
                self.problem(f"{method.upper()} {template}: none of its errors {sorted(errors)} was exercised")
            own = {s for s in errors if s not in (401, 413, 415)}
            if own and not (seen & own):
                self.problem(f"{method.upper()} {template}: none of its own errors {sorted(own)} was exercised")


def main():
    docs, asana_origin, onelogin_origin, admin_token, sa_token = sys.argv[1:6]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import drive_asana
    import drive_onelogin

    asana = Fake("fake-asana", os.path.join(docs, "fake-asana.json"), asana_origin, admin_token, "AdminError")
    onelogin = Fake("fake-onelogin", os.path.join(docs, "fake-onelogin.json"), onelogin_origin, admin_token, "OneLoginError")
    for fake in (asana, onelogin):
        fake.validate_spec()
        fake.served_document()
        fake.guards()
        fake.undocumented_methods()
    drive_asana.drive(asana, sa_token)
    drive_onelogin.drive(onelogin, asana, sa_token)
    problems = []
    for fake in (asana, onelogin):
        fake.coverage()
        problems += fake.problems
        print(f"{fake.name}: {len(fake.operations)} operations, {fake.calls} calls checked")
    for p in problems:
        print("PROBLEM", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
