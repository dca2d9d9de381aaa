"""OneLogin's official Python SDK (PyPI `onelogin`, pinned by `cargo xtask test`) reading the
fake OneLogin's Events API unchanged: token with client credentials, then EventsApi.get_events();
and the Asana app's SSO settings, which `doctor` reads, through AppsApi.get_app().

    sdk_events.py BASE_URL CLIENT_ID CLIENT_SECRET APP_ID
    # prints "event <type> <user_id> <error>" lines, then
    # "sso <issuer> <certificate id> <PEM first line>" and "configuration <algorithm> <certificate id>"

4.0.1's GenericApp model has no `sso` and `configuration` fields: it keeps both in
`additional_properties`, which the SDK's own SsoSaml and ConfigurationSaml models parse.

The SDK 4.0.1 cannot send integer filters (its query encoder joins ints as strings and fails), so
the filters are exercised by the raw calls in the Rust tests.
"""

import sys

import onelogin

from onelogin.models.configuration_saml import ConfigurationSaml
from onelogin.models.sso_saml import SsoSaml

host, client_id, secret, app_id = sys.argv[1:5]
conf = onelogin.Configuration(host=host, username=client_id, password=secret)
with onelogin.ApiClient(conf) as client:
    token = onelogin.OAuth2Api(client).generate_token({"grant_type": "client_credentials"})
    conf.access_token = token.access_token
    events = onelogin.EventsApi(client).get_events()
    assert events.status.error is False, events.status
    for e in events.data:
        print("event", e.event_type_id, e.user_id, e.error_description or "")
    app = onelogin.AppsApi(client).get_app(int(app_id))
    sso = SsoSaml.from_dict(app.additional_properties["sso"])
    configuration = ConfigurationSaml.from_dict(app.additional_properties["configuration"])
    print("sso", sso.issuer, sso.certificate.id, sso.certificate.value.splitlines()[0])
    print("configuration", configuration.signature_algorithm, configuration.certificate_id)
