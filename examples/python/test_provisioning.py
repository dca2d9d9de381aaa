"""Provisioning, tested the way an integrator tests it: a person is created in OneLogin and given
the Asana app with OneLogin's official SDK (PyPI `onelogin`), and then found in Asana with
Asana's official SDK (PyPI `asana`). Only the admin's console steps, which neither vendor
offers an API for, go through the harness's admin API."""

import uuid

import asana
import onelogin
import pytest
from asana.rest import ApiException


def onelogin_api(harness) -> onelogin.ApiClient:
    """OneLogin's SDK pointed at the fake, with an access token from client credentials."""
    credentials = harness.credentials["onelogin"]
    configuration = onelogin.Configuration(
        host=harness.onelogin_origin,
        username=credentials["client_id"],
        password=credentials["client_secret"],
    )
    client = onelogin.ApiClient(configuration)
    token = onelogin.OAuth2Api(client).generate_token({"grant_type": "client_credentials"})
    # The SDK's constructor drops an `access_token` argument: set it afterwards.
    configuration.access_token = token.access_token
    return client


def asana_api(harness, token: str) -> asana.ApiClient:
    """Asana's SDK pointed at the fake's REST API."""
    configuration = asana.Configuration()
    configuration.host = harness.asana_rest_url
    configuration.access_token = token
    return asana.ApiClient(configuration)


@pytest.fixture
def asana_app(harness) -> int:
    """The KB article's admin steps in OneLogin's console: paste the service account's token
    into the Asana app, turn provisioning on, press Enable."""
    app_id = harness.credentials["onelogin"]["asana_app_id"]
    origin = harness.onelogin_origin
    harness.admin(
        origin,
        "PUT",
        f"/__admin/apps/{app_id}/provisioning",
        {"token": harness.scim_token, "enabled": True, "require_approval": {"create": False}},
    )
    enabled = harness.admin(origin, "POST", f"/__admin/apps/{app_id}/enable")
    assert enabled["api_status"] == "connected", enabled
    return app_id


@pytest.fixture
def asana_reader(harness) -> asana.ApiClient:
    """An Asana client that may read users: the SCIM token is scoped to SCIM, which Asana's REST
    API refuses, so the test makes itself a full-permission service account, as an admin
    does in Asana's Admin console."""
    account = harness.admin(
        harness.asana_origin,
        "POST",
        "/__admin/service-accounts",
        {"name": "Integration tests", "scope": "full"},
    )
    return asana_api(harness, account["token"])


def test_scim_token_cannot_read_the_rest_api(harness):
    with pytest.raises(ApiException) as refused:
        asana.UsersApi(asana_api(harness, harness.scim_token)).get_user("me", {})
    assert refused.value.status == 403


def test_a_person_given_asana_in_onelogin_appears_in_asana(harness, asana_app, asana_reader):
    users_in_asana = asana.UsersApi(asana_reader)
    [workspace] = list(
        asana.WorkspacesApi(asana_reader).get_workspaces({"opt_fields": "name,email_domains"})
    )
    email = f"hedy.{uuid.uuid4().hex[:8]}@{workspace['email_domains'][0]}"
    with pytest.raises(ApiException) as absent:
        users_in_asana.get_user(email, {})
    assert absent.value.status == 404

    with onelogin_api(harness) as client:
        person = onelogin.UsersV2Api(client).create_user2(
            user=onelogin.User(
                email=email, username=email.split("@")[0], firstname="Hedy", lastname="Lamarr"
            )
        )
        # App access is given through a role: the one that holds the Asana app.
        roles = onelogin.RolesApi(client)
        [role] = [
            role
            for role in roles.list_roles()
            if any(app.id == asana_app for app in roles.get_role_apps(str(role.id)))
        ]
        added = roles.add_role_users(str(role.id), [person.id])
        assert [entry.id for entry in added] == [person.id]

        # The worker provisions on its own; this waits until the queue has settled.
        harness.admin(harness.onelogin_origin, "POST", "/__admin/provisioning/run")

        [app] = [
            app
            for app in onelogin.UsersV2Api(client).get_user_apps2(person.id)
            if app.id == asana_app
        ]
        assert app.provisioning_enabled is True
        assert app.provisioning_state == "provisioned", app

    user = users_in_asana.get_user(email, {"opt_fields": "email,name,workspaces"})
    assert user["email"] == email
    assert user["name"] == "Hedy Lamarr"
    assert [w["gid"] for w in user["workspaces"]] == [workspace["gid"]]
    members = users_in_asana.get_users_for_workspace(workspace["gid"], {"opt_fields": "email"})
    assert email in [member["email"] for member in members]
