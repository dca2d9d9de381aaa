"""Every operation of the fake Asana's admin API, called as a client would: each success, and
the errors of its own (bad input, unknown ids, conflicts). `check.py` checks every answer."""

import json
import urllib.error
import urllib.parse
import urllib.request


def drive(fake, sa_token):
    c = fake.call
    c("get", "/__admin/health", 200, auth=False)

    # Service accounts and personal access tokens.
    c("get", "/__admin/service-accounts", 200)
    created = c("post", "/__admin/service-accounts", 201, body={"name": "openapi check"}).json
    sa = {"id": created["id"]}
    c("post", "/__admin/service-accounts", 400, body={"name": " "})
    c("post", "/__admin/service-accounts", 400, raw=b"{not json")
    c("post", "/__admin/service-accounts", 404, body={"name": "x", "organization": "999"})
    c("patch", "/__admin/service-accounts/{id}", 204, params=sa, body={"name": "renamed"})
    c("patch", "/__admin/service-accounts/{id}", 400, params=sa, body={"name": ""})
    c("patch", "/__admin/service-accounts/{id}", 404, params={"id": "999"}, body={"name": "x"})
    c("post", "/__admin/service-accounts/{id}/rotate", 200, params=sa)
    c("post", "/__admin/service-accounts/{id}/rotate", 404, params={"id": "%ff"})
    c("delete", "/__admin/service-accounts/{id}", 204, params=sa)
    c("delete", "/__admin/service-accounts/{id}", 404, params=sa)
    c("post", "/__admin/personal-access-tokens", 201, body={"user": "admin@acme.test"})
    c("post", "/__admin/personal-access-tokens", 400, body={"user": "nobody@acme.test"})
    c("post", "/__admin/personal-access-tokens", 404, body={"user": "admin@acme.test", "organization": 999})

    # Organizations.
    c("get", "/__admin/organizations", 200)
    c("post", "/__admin/organizations", 201, body={"name": "Globex", "domains": ["globex.test"]})
    c("post", "/__admin/organizations", 409, body={"name": "Globex 2", "domains": ["globex.test"]})
    c("post", "/__admin/organizations", 400, body={"name": "Nowhere", "domains": []})

    # Config and faults.
    c("get", "/__admin/config", 200)
    c("put", "/__admin/config", 200, body={"switches": {"omit_meta": True}, "rate_limit": {"requests_per_minute": None}})
    c("put", "/__admin/config", 400, body={"switches": {"omit_meat": True}})
    c("post", "/__admin/faults", 201, body={"method": "GET", "path": "/api/1.0/scim/Users", "status": 503, "times": 1})
    c("post", "/__admin/faults", 400, body={"path": "no-slash", "status": 503})
    c("post", "/__admin/faults", 400, body={"path": "/x", "colour": "red"})
    c("get", "/__admin/faults", 200)

    # The request journal: one exchange that hits the fault, one that goes through.
    for _ in range(2):
        scim = urllib.request.Request(
            fake.origin + "/api/1.0/scim/Users?filter=" + urllib.parse.quote('userName eq "admin@acme.test"'),
            headers={"Authorization": f"Bearer {sa_token}"},
        )
        try:
            urllib.request.urlopen(scim, timeout=30).read()
        except urllib.error.HTTPError as e:
            e.read()
    c("delete", "/__admin/faults", 204)
    journal = c("get", "/__admin/requests", 200).json
    if len(journal) < 2:
        fake.problem(f"the journal holds {len(journal)} exchanges, expected the two SCIM calls")
    c("get", "/__admin/requests", 200, query="?format=json")
    c("get", "/__admin/requests", 200, query="?format=har")
    c("get", "/__admin/requests", 400, query="?format=xml")
    c("get", "/__admin/requests", 400, query="?format=har&format=json")
    c("delete", "/__admin/requests", 204)

    # SAML settings and the sign-in journal.
    c("get", "/__admin/saml", 200)
    org = c("get", "/__admin/saml", 200, query="?organization=1200000000000001").json["organization"]
    c("get", "/__admin/saml", 400, query="?organization=abc")
    c("get", "/__admin/saml", 404, query="?organization=999")
    c("put", "/__admin/saml", 200, body={"session_timeout_hours": 24})
    c("put", "/__admin/saml", 200, query=f"?organization={org}", body={"organization": org, "sign_in_url": ""})
    c("put", "/__admin/saml", 400, body={"mode": "required", "certificate": ""})
    c("put", "/__admin/saml", 400, query=f"?organization={org}", body={"organization": "999"})
    c("put", "/__admin/saml", 404, query="?organization=999", body={})
    acs = urllib.request.Request(
        fake.origin + "/-/saml/consume",
        data=urllib.parse.urlencode({"SAMLResponse": "bm90IGEgcmVzcG9uc2U="}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        urllib.request.urlopen(acs, timeout=30).read()
    except urllib.error.HTTPError as e:
        e.read()
    sign_ins = c("get", "/__admin/sign-ins", 200).json
    if not sign_ins:
        fake.problem("the refused sign-in is not in the sign-in journal")
    c("delete", "/__admin/sign-ins", 204)

    # State: a snapshot restores; a broken or inconsistent one is refused.
    snapshot = c("get", "/__admin/state", 200).json
    c("put", "/__admin/state", 204, body=snapshot)
    c("put", "/__admin/state", 400, body={"version": 1})
    broken = json.loads(json.dumps(snapshot))
    broken["organizations"].append(dict(broken["organizations"][0]))
    c("put", "/__admin/state", 422, body=broken)
    c("post", "/__admin/reset", 204, query="?keep=config")
    c("post", "/__admin/reset", 400, query="?keep=everything")
    c("post", "/__admin/reset", 204)
