"""Every operation of the fake OneLogin's admin API, called as a client would, along the KB
article: the token, Enable, approvals, a failed task and its retry, Import, the SSO tab. Each
success, and the errors of its own. `check.py` checks every answer."""

import json
import urllib.error
import urllib.request

APP = {"id": "100001"}
NO_APP = {"id": "999"}


def drive(fake, asana, sa_token):
    c = fake.call
    c("get", "/__admin/health", 200, auth=False)
    state = c("get", "/__admin/state", 200).json
    ids = {u["email"]: u["id"] for u in state["users"]}
    ada, grace, alan = ids["ada@acme.test"], ids["grace@acme.test"], ids["alan@acme.test"]

    # The Provisioning tab, and Enable.
    c("get", "/__admin/apps/{id}/provisioning", 200, params=APP)
    c("get", "/__admin/apps/{id}/provisioning", 404, params={"id": "abc"})
    c("put", "/__admin/apps/{id}/provisioning", 200, params=APP,
      body={"token": sa_token, "enabled": True, "require_approval": {"create": True}})
    c("put", "/__admin/apps/{id}/provisioning", 422, params=APP, body={"tokn": "x"})
    c("put", "/__admin/apps/{id}/provisioning", 400, params=APP, body={"on_delete": "explode"})
    c("put", "/__admin/apps/{id}/provisioning", 400, params=APP, raw=b"[1,")
    c("put", "/__admin/apps/{id}/provisioning", 404, params=NO_APP, body={})
    enabled = c("post", "/__admin/apps/{id}/enable", 200, params=APP).json
    if enabled["api_status"] != "connected":
        fake.problem(f"Enable did not connect: {enabled}")
    c("post", "/__admin/apps/{id}/enable", 404, params=NO_APP)

    # Direct assignment: each makes a create task, pending approval.
    for user in (ada, grace, alan):
        c("post", "/__admin/users/{id}/apps/{app}", 201, params={"id": user, "app": 100001})
    c("post", "/__admin/users/{id}/apps/{app}", 200, params={"id": ada, "app": 100001})
    c("post", "/__admin/users/{id}/apps/{app}", 404, params={"id": "%ff", "app": 100001})
    c("post", "/__admin/users/{id}/apps/{app}", 404, params={"id": ada, "app": 999})
    pending = c("get", "/__admin/provisioning/tasks", 200, query="?status=pending").json
    task = {t["user_id"]: {"id": t["id"]} for t in pending}
    c("get", "/__admin/provisioning/tasks", 200, query=f"?user_id={ada}&status=pending")
    c("get", "/__admin/provisioning/tasks", 400, query="?status=stuck")
    c("get", "/__admin/provisioning/tasks", 400, query="?user_id=ada")

    # Approve two, deny one; one create fails (a fault on Asana), then is retried. The worker
    # may run approved tasks before `run` does; `run` waits for it, so the failure is there after.
    asana.send("post", "/__admin/faults", body={"method": "POST", "path": "/api/1.0/scim/Users", "status": 400, "times": 1})
    c("post", "/__admin/provisioning/tasks/{id}/approve", 200, params=task[ada])
    c("post", "/__admin/provisioning/tasks/{id}/approve", 409, params=task[ada])
    c("post", "/__admin/provisioning/tasks/{id}/approve", 404, params={"id": "999999"})
    c("post", "/__admin/provisioning/tasks/{id}/approve", 200, params=task[grace])
    c("post", "/__admin/provisioning/tasks/{id}/deny", 200, params=task[alan])
    c("post", "/__admin/provisioning/tasks/{id}/deny", 409, params=task[alan])
    c("post", "/__admin/provisioning/tasks/{id}/deny", 404, params={"id": "x"})
    c("post", "/__admin/provisioning/run", 200)
    failed = c("get", "/__admin/provisioning/tasks", 200, query="?status=failed").json
    if len(failed) != 1:
        fake.problem(f"expected one failed task, got {failed}")
    else:
        c("post", "/__admin/provisioning/tasks/{id}/retry", 200, params={"id": failed[0]["id"]})
    c("post", "/__admin/provisioning/tasks/{id}/retry", 409, params=task[alan])
    c("post", "/__admin/provisioning/tasks/{id}/retry", 404, params={"id": "999999"})
    c("post", "/__admin/provisioning/run", 200)
    c("get", "/__admin/provisioning/tasks", 200)
    c("delete", "/__admin/users/{id}/apps/{app}", 204, params={"id": grace, "app": 100001})
    c("delete", "/__admin/users/{id}/apps/{app}", 404, params={"id": grace, "app": 100001})

    # Users tab: Reset, and Import (which fails while Asana refuses the token).
    c("post", "/__admin/apps/{id}/users/reset", 200, params=APP)
    c("post", "/__admin/apps/{id}/users/reset", 404, params=NO_APP)
    c("post", "/__admin/apps/{id}/import", 200, params=APP)
    c("post", "/__admin/apps/{id}/import", 404, params=NO_APP)
    asana.send("post", "/__admin/faults", body={"path": "/api/1.0/scim/Users", "status": 401, "times": 1})
    c("post", "/__admin/apps/{id}/import", 409, params=APP)
    asana.send("delete", "/__admin/faults")

    # The outbound SCIM journal.
    journal = c("get", "/__admin/requests", 200).json
    if not journal:
        fake.problem("the outbound journal is empty after provisioning")
    c("get", "/__admin/requests", 200, query="?format=har")
    c("get", "/__admin/requests", 400, query="?format=csv")
    c("delete", "/__admin/requests", 204)

    # The inbound API journal: a refused API call is journaled too.
    try:
        urllib.request.urlopen(fake.origin + "/api/2/apps")
    except urllib.error.HTTPError:
        pass
    answered = c("get", "/__admin/api-requests", 200).json
    if not any(e["uri"] == "/api/2/apps" and e["status"] == 401 for e in answered or []):
        fake.problem(f"the inbound journal lacks the refused GET /api/2/apps: {answered}")
    c("delete", "/__admin/api-requests", 204)

    # API credentials.
    c("get", "/__admin/api-credentials", 200)
    c("post", "/__admin/api-credentials", 201, body={"name": "ci", "scope": "read_users"})
    c("post", "/__admin/api-credentials", 201, body={})
    c("post", "/__admin/api-credentials", 422, body={"scope": "root"})
    c("post", "/__admin/api-credentials", 400, raw=b"")

    # The SSO tab: settings, certificates, an assertion.
    c("get", "/__admin/apps/{id}/sso", 200, params=APP)
    c("get", "/__admin/apps/{id}/sso", 404, params=NO_APP)
    c("put", "/__admin/apps/{id}/sso", 200, params=APP, body={"signature_algorithm": "rsa-sha256", "acs_url": asana.origin + "/-/saml/consume"})
    c("put", "/__admin/apps/{id}/sso", 422, params=APP, body={"entity": "x"})
    c("put", "/__admin/apps/{id}/sso", 422, params=APP, body={"acs_url": "ftp://example.test"})
    c("put", "/__admin/apps/{id}/sso", 400, params=APP, body={"signature_algorithm": "md5"})
    c("put", "/__admin/apps/{id}/sso", 400, params=APP, body=[])
    c("put", "/__admin/apps/{id}/sso", 404, params=NO_APP, body={})
    rotated = c("post", "/__admin/apps/{id}/sso/certificates/rotate", 201, params=APP).json
    c("post", "/__admin/apps/{id}/sso/certificates/rotate", 404, params=NO_APP)
    in_use = rotated["certificates"][0]["id"]
    old = rotated["certificates"][-1]["id"]
    c("delete", "/__admin/apps/{id}/sso/certificates/{cert}", 409, params={"id": 100001, "cert": in_use})
    c("delete", "/__admin/apps/{id}/sso/certificates/{cert}", 204, params={"id": 100001, "cert": old})
    c("delete", "/__admin/apps/{id}/sso/certificates/{cert}", 404, params={"id": 100001, "cert": old})
    c("delete", "/__admin/apps/{id}/sso/certificates/{cert}", 404, params={"id": 100001, "cert": "%ff"})
    c("post", "/__admin/apps/{id}/sso/assertion", 200, params=APP, body={"user_id": ada, "relay_state": "/-/home"})
    c("post", "/__admin/apps/{id}/sso/assertion", 403, params=APP, body={"user_id": ids["katherine@acme.test"]})
    c("post", "/__admin/apps/{id}/sso/assertion", 400, params=APP, body={"user": ada})
    c("post", "/__admin/apps/{id}/sso/assertion", 404, params=NO_APP, body={"user_id": ada})

    # State: a snapshot restores; a broken or inconsistent one is refused.
    snapshot = c("get", "/__admin/state", 200).json
    c("put", "/__admin/state", 204, body=snapshot)
    c("put", "/__admin/state", 400, body={"version": 1})
    broken = json.loads(json.dumps(snapshot))
    broken["users"].append(dict(broken["users"][0]))
    c("put", "/__admin/state", 422, body=broken)
    c("post", "/__admin/reset", 204)
