"""OneLogin's official Python SDK (PyPI `onelogin`, pinned by `cargo xtask test`) reading the
fake OneLogin's Events API unchanged: token with client credentials, then EventsApi.get_events().

    sdk_events.py BASE_URL CLIENT_ID CLIENT_SECRET   # prints "event <type> <user_id> <error>" lines

The SDK 4.0.1 cannot send integer filters (its query encoder joins ints as strings and fails), so
the filters are exercised by the raw calls in the Rust tests.
"""

import sys

import onelogin

host, client_id, secret = sys.argv[1:4]
conf = onelogin.Configuration(host=host, username=client_id, password=secret)
with onelogin.ApiClient(conf) as client:
    token = onelogin.OAuth2Api(client).generate_token({"grant_type": "client_credentials"})
    conf.access_token = token.access_token
    events = onelogin.EventsApi(client).get_events()
    assert events.status.error is False, events.status
    for e in events.data:
        print("event", e.event_type_id, e.user_id, e.error_description or "")
