//! SCIM Users, with each Asana quirk and its RFC counterpart.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, id_of, patch, user_body};

#[tokio::test]
async fn create_then_find_by_user_name_the_way_onelogin_asks() {
    let app = TestApp::new().await;
    let created = app.create_user("ada@acme.test", "Ada Lovelace").await;
    assert_eq!(created["userName"], "ada@acme.test");
    assert_eq!(created["active"], true);
    assert!(
        created.get("meta").is_none(),
        "Asana's responses carry no meta"
    );
    // OneLogin's wire form: `+` for spaces, a trailing `&`.
    let reply = app
        .raw(
            Method::GET,
            "/api/1.0/scim/Users?filter=userName+eq+%22ADA%40acme.test%22&",
            Some(&app.sa.token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["totalResults"], 1);
    assert_eq!(reply.body["Resources"][0]["id"], created["id"]);
    assert!(
        reply.body.get("startIndex").is_none(),
        "Asana's list example has no startIndex"
    );
    let none = app
        .scim(
            Method::GET,
            "/Users?filter=userName%20eq%20%22nobody%40acme.test%22",
            None,
        )
        .await;
    assert_eq!(none.body["totalResults"], 0);
    assert_eq!(none.body["Resources"], json!([]));
}

#[tokio::test]
async fn put_with_a_bare_question_mark_updates_the_whole_user() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada Lovelace").await);
    let mut body = user_body("ada@acme.test", "Ada King");
    body["title"] = json!("Countess");
    let reply = app
        .raw(
            Method::PUT,
            &format!("/api/1.0/scim/Users/{id}?"),
            Some(&app.sa.token),
            Some(serde_json::to_vec(&body).unwrap()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["title"], "Countess");
    assert_eq!(reply.body["name"]["formatted"], "Ada King");
}

#[tokio::test]
async fn user_name_must_be_an_email() {
    let app = TestApp::new().await;
    let reply = app
        .scim(
            Method::POST,
            "/Users",
            Some(user_body("ada.lovelace", "Ada")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["scimType"], "invalidValue");
    assert_eq!(reply.body["status"], "400");
    assert!(reply.body["detail"].as_str().unwrap().contains("email"));
    // Plain RFC accepts any userName.
    let rfc = TestApp::rfc().await;
    let reply = rfc
        .scim(
            Method::POST,
            "/Users",
            Some(user_body("ada.lovelace", "Ada")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
}

#[tokio::test]
async fn off_domain_users_become_invisible_guests() {
    let app = TestApp::new().await;
    let created = app.create_user("guest@elsewhere.test", "Guest").await;
    let list = app
        .scim(
            Method::GET,
            "/Users?filter=userName eq \"guest@elsewhere.test\"",
            None,
        )
        .await;
    assert_eq!(
        list.body["totalResults"], 0,
        "the classic created-but-not-found loop"
    );
    assert_eq!(
        app.get_user(&id_of(&created)).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app.asana.user("guest@elsewhere.test").unwrap().guest);
    let all = app.scim(Method::GET, "/Users", None).await;
    assert_eq!(all.body["totalResults"], 0);
}

#[tokio::test]
async fn a_second_post_for_an_active_user_name_conflicts_in_any_case() {
    let app = TestApp::new().await;
    app.create_user("ada@acme.test", "Ada").await;
    let reply = app
        .scim(
            Method::POST,
            "/Users",
            Some(user_body("ADA@Acme.Test", "Ada")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body["scimType"], "uniqueness");
    assert_eq!(reply.body["status"], "409");
}

#[tokio::test]
async fn delete_deprovisions_and_keeps_the_user() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada Lovelace").await);
    let reply = app
        .scim(Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let after = app.get_user(&id).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["active"], false);
    let record = app.asana.user("ada@acme.test").unwrap();
    let deprovision = record.deprovisioned.expect("a deprovision record");
    assert_eq!(
        serde_json::to_value(deprovision.via).unwrap(),
        "scim_delete"
    );
    assert_eq!(deprovision.actor, format!("service_account:{}", app.sa.id));
    assert!(deprovision.tasks_project.contains("Ada Lovelace"));
    assert_eq!(record.events[0].event, "user_deprovisioned");
    // Still listed, inactive, as audit scripts count them.
    let list = app.scim(Method::GET, "/Users", None).await;
    assert_eq!(list.body["Resources"][0]["active"], false);
}

#[tokio::test]
async fn patch_active_false_deprovisions_in_okta_and_entra_dialects() {
    let app = TestApp::new().await;
    let okta = id_of(&app.create_user("okta@acme.test", "Okta User").await);
    let entra = id_of(&app.create_user("entra@acme.test", "Entra User").await);
    let r = app
        .scim(
            Method::PATCH,
            &format!("/Users/{okta}"),
            Some(patch(
                json!([{"op": "replace", "value": {"active": false}}]),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["active"], false);
    let r = app
        .scim(
            Method::PATCH,
            &format!("/Users/{entra}"),
            Some(patch(
                json!([{"op": "Replace", "path": "active", "value": "False"}]),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for email in ["okta@acme.test", "entra@acme.test"] {
        let via = app.asana.user(email).unwrap().deprovisioned.unwrap().via;
        assert_eq!(serde_json::to_value(via).unwrap(), "scim_patch");
    }
}

#[tokio::test]
async fn put_active_false_deprovisions() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada").await);
    let mut body = user_body("ada@acme.test", "Ada");
    body["active"] = json!(false);
    let r = app
        .scim(Method::PUT, &format!("/Users/{id}"), Some(body))
        .await;
    assert_eq!(r.body["active"], false);
    let via = app
        .asana
        .user("ada@acme.test")
        .unwrap()
        .deprovisioned
        .unwrap()
        .via;
    assert_eq!(serde_json::to_value(via).unwrap(), "scim_put");
}

#[tokio::test]
async fn reactivation_is_refused_but_the_rfc_profile_allows_it() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada").await);
    app.scim(Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    let r = app
        .scim(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(patch(json!([{"op": "replace", "value": {"active": true}}]))),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["detail"].as_str().unwrap().contains("Reactivating"));
    let r = app
        .scim(
            Method::PUT,
            &format!("/Users/{id}"),
            Some(user_body("ada@acme.test", "Ada")),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a full PUT with active:true is a reactivation too"
    );
    assert_eq!(app.get_user(&id).await.body["active"], false);

    let rfc = TestApp::rfc().await;
    let id = id_of(&rfc.create_user("ada@acme.test", "Ada").await);
    rfc.scim(
        Method::PATCH,
        &format!("/Users/{id}"),
        Some(patch(
            json!([{"op": "replace", "path": "active", "value": false}]),
        )),
    )
    .await;
    let r = rfc
        .scim(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(patch(
                json!([{"op": "replace", "path": "active", "value": true}]),
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["active"], true);
}

#[tokio::test]
async fn a_fresh_post_adds_a_deprovisioned_user_back() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada").await);
    app.scim(Method::DELETE, &format!("/Users/{id}"), None)
        .await;
    let again = app
        .scim(
            Method::POST,
            "/Users",
            Some(user_body("ada@acme.test", "Ada")),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body["id"], id, "the same Asana account comes back");
    assert_eq!(again.body["active"], true);
    let events: Vec<&str> = app
        .asana
        .user("ada@acme.test")
        .unwrap()
        .events
        .into_iter()
        .map(|e| e.event.as_str())
        .collect();
    assert_eq!(events, ["user_deprovisioned", "user_reprovisioned"]);
}

#[tokio::test]
async fn name_parts_in_patch_are_ignored_but_formatted_applies() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada Lovelace").await);
    let r = app
        .scim(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(patch(json!([
                {"op": "replace", "path": "name.givenName", "value": "Augusta"},
                {"op": "replace", "value": {"name.familyName": "King", "title": "Countess"}}
            ]))),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body["name"]["givenName"], "Ada",
        "filled from formatted, not from the PATCH"
    );
    assert_eq!(r.body["title"], "Countess");
    let r = app
        .scim(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(patch(
                json!([{"op": "replace", "path": "name.formatted", "value": "Ada King"}]),
            )),
        )
        .await;
    assert_eq!(r.body["name"]["formatted"], "Ada King");
    assert_eq!(r.body["name"]["familyName"], "King");
}

#[tokio::test]
async fn value_path_patches_and_the_enterprise_extension() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada").await);
    let r = app
        .scim(
            Method::PATCH,
            &format!("/Users/{id}"),
            Some(patch(json!([
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "ada@acme.test"},
                {"op": "replace", "path": "addresses[type eq \"work\"].country", "value": "GB"},
                {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": {"value": "77"}}
            ]))),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["addresses"],
        json!([{"type": "work", "country": "GB"}])
    );
    let ext = &r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];
    assert_eq!(ext["department"], "R&D");
    assert_eq!(ext["manager"]["value"], "77");
}

#[tokio::test]
async fn unknown_attributes_and_odd_schema_urns_are_accepted() {
    let app = TestApp::new().await;
    let body = json!({
        "schemas": ["urn:scim:schemas:core:2.0", "urn:scim:schemas:extension:enterprise:2.0"],
        "userName": "ada@acme.test",
        "externalId": "ol-1",
        "favouriteColour": "teal"
    });
    let r = app.scim(Method::POST, "/Users", Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.body.get("favouriteColour").is_none());
    let rfc = TestApp::rfc().await;
    let r = rfc.scim(Method::POST, "/Users", Some(body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["scimType"], "invalidSyntax");
}

#[tokio::test]
async fn user_type_only_in_view_only_organizations() {
    let app = TestApp::new().await;
    let mut body = user_body("ada@acme.test", "Ada");
    body["userType"] = json!("view only");
    let r = app.scim(Method::POST, "/Users", Some(body)).await;
    assert!(r.body.get("userType").is_none());
}

#[tokio::test]
async fn paging_with_start_index_and_count() {
    let app = TestApp::new().await;
    for i in 0..5 {
        app.create_user(&format!("u{i}@acme.test"), &format!("User {i}"))
            .await;
    }
    let r = app
        .scim(Method::GET, "/Users?startIndex=2&count=2", None)
        .await;
    assert_eq!(r.body["totalResults"], 5);
    let names: Vec<&str> = r.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["u1@acme.test", "u2@acme.test"]);

    // Asana's documented "full list": the paging parameters ignored, every user in one answer.
    app.asana
        .configure(|c| c.switches.set(fake_asana::Switch::ListIgnoresPaging, true));
    let r = app
        .scim(Method::GET, "/Users?startIndex=2&count=2", None)
        .await;
    assert_eq!(r.body["totalResults"], 5);
    assert_eq!(r.body["Resources"].as_array().unwrap().len(), 5);
    let r = app
        .scim(
            Method::GET,
            "/Users?filter=userName+eq+%22u3@acme.test%22&count=0",
            None,
        )
        .await;
    assert_eq!(r.body["Resources"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_rfc_profile_pages_through_any_filter() {
    let app = TestApp::rfc().await;
    for i in 0..5 {
        app.create_user(&format!("u{i}@acme.test"), &format!("User {i}"))
            .await;
    }
    let r = app
        .scim(
            Method::GET,
            "/Users?filter=userName sw \"u\" and not (userName eq \"u0@acme.test\")&count=1",
            None,
        )
        .await;
    assert_eq!(r.body["totalResults"], 4);
    assert_eq!(r.body["Resources"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn asana_filters_only_by_the_documented_attributes() {
    let app = TestApp::new().await;
    app.create_user("ada@acme.test", "Ada Lovelace").await;
    for filter in [
        "userName sw \"ada\"",
        "title eq \"Engineer\"",
        "userName eq \"ada@acme.test\" or userName eq \"x@acme.test\"",
        "emails[value eq \"ada@acme.test\"]",
    ] {
        let r = app
            .scim(Method::GET, &format!("/Users?filter={filter}"), None)
            .await;
        assert_eq!(r.status, 400, "{filter}: {}", r.body);
        assert_eq!(r.body["scimType"], "invalidFilter", "{filter}");
        assert!(
            r.body["detail"].as_str().unwrap().contains("userName eq"),
            "{}",
            r.body
        );
    }
    // The documented ones, attribute names in any case.
    let r = app
        .scim(
            Method::GET,
            "/Users?filter=USERNAME eq \"ADA@acme.test\"",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["totalResults"], 1);
    let r = app
        .scim(
            Method::GET,
            "/Groups?filter=displayName eq \"Nobody\"",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .scim(Method::GET, "/Groups?filter=displayName sw \"N\"", None)
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("displayName eq")
    );
}

#[tokio::test]
async fn attributes_asana_does_not_use_are_not_echoed() {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ada@acme.test",
        "externalId": "00u1",
        "displayName": "Ada",
        "locale": "en-GB",
        "timezone": "Europe/London",
        "title": "Analyst",
    });
    let asana = TestApp::new().await;
    let r = asana.scim(Method::POST, "/Users", Some(body.clone())).await;
    assert_eq!(r.status, 201);
    for dropped in ["externalId", "displayName", "locale", "timezone"] {
        assert!(r.body.get(dropped).is_none(), "{dropped}: {}", r.body);
    }
    assert_eq!(r.body["title"], "Analyst");
    let rfc = TestApp::rfc().await;
    let r = rfc.scim(Method::POST, "/Users", Some(body)).await;
    assert_eq!(
        (r.body["externalId"].as_str(), r.body["locale"].as_str()),
        (Some("00u1"), Some("en-GB"))
    );
}

#[tokio::test]
async fn a_case_only_change_of_a_non_ascii_user_name_is_not_a_conflict() {
    let app = TestApp::new().await;
    let created = app.create_user("ÉVA@acme.test", "Éva Tardos").await;
    let id = id_of(&created);
    let mut body = user_body("éva@acme.test", "Éva Tardos");
    body["active"] = json!(true);
    let r = app
        .scim(Method::PUT, &format!("/Users/{id}"), Some(body))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["userName"], "éva@acme.test");
    assert_eq!(r.body["id"].as_str(), Some(id.as_str()));
    let found = app
        .scim(
            Method::GET,
            "/Users?filter=userName eq \"ÉVA@ACME.TEST\"",
            None,
        )
        .await;
    assert_eq!(found.body["totalResults"], 1);
}

#[tokio::test]
async fn onelogins_schema_urns_are_read_under_lenient_schemas() {
    let body = json!({
        "schemas": ["urn:scim:schemas:core:2.0", "urn:scim:schemas:extension:enterprise:2.0"],
        "userName": "ada@acme.test",
        "name": {"formatted": "Ada Lovelace"},
        "urn:scim:schemas:extension:enterprise:2.0": {"department": "Engines"},
    });
    let asana = TestApp::new().await;
    let r = asana.scim(Method::POST, "/Users", Some(body.clone())).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Engines"
    );
    let rfc = TestApp::rfc().await;
    let r = rfc.scim(Method::POST, "/Users", Some(body)).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["scimType"], "invalidSyntax");
}

#[tokio::test]
async fn the_rfc_profile_is_plain_rfc() {
    let app = TestApp::rfc().await;
    let r = app
        .scim(
            Method::POST,
            "/Users",
            Some(user_body("ada@acme.test", "Ada")),
        )
        .await;
    let id = id_of(&r.body);
    assert_eq!(
        r.header("location"),
        Some(format!("{}/Users/{id}", app.asana.scim_url()).as_str())
    );
    assert_eq!(r.body["meta"]["resourceType"], "User");
    assert_eq!(r.header("content-type"), Some("application/scim+json"));
    let list = app.scim(Method::GET, "/Users", None).await;
    assert_eq!(list.body["startIndex"], 1);
    assert_eq!(list.body["itemsPerPage"], 1);
    assert_eq!(
        app.scim(Method::DELETE, &format!("/Users/{id}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get_user(&id).await.status, StatusCode::NOT_FOUND);
    assert!(app.asana.user("ada@acme.test").is_none());
}

#[tokio::test]
async fn discovery_documents_have_real_content() {
    let app = TestApp::new().await;
    let spc = app.scim(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(spc.body["patch"]["supported"], true);
    assert_eq!(spc.body["bulk"]["supported"], false);
    let types = app.scim(Method::GET, "/ResourceTypes", None).await;
    assert_eq!(types.body["totalResults"], 2);
    let user_type = app.scim(Method::GET, "/ResourceTypes/User", None).await;
    assert_eq!(user_type.body["endpoint"], "/Users");
    let schemas = app.scim(Method::GET, "/Schemas", None).await;
    assert_eq!(schemas.body["totalResults"], 3);
    let user = app
        .scim(
            Method::GET,
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
            None,
        )
        .await;
    assert_eq!(user.status, StatusCode::OK);
    let user_name = user.body["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .unwrap();
    assert_eq!(user_name["required"], true);
    assert_eq!(user_name["uniqueness"], "server");
}

#[tokio::test]
async fn search_by_post_exists_only_in_the_rfc_profile() {
    let app = TestApp::new().await;
    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"ada\""});
    assert_eq!(
        app.scim(Method::POST, "/Users/.search", Some(search.clone()))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let rfc = TestApp::rfc().await;
    rfc.create_user("ada@acme.test", "Ada").await;
    rfc.create_user("bob@acme.test", "Bob").await;
    let r = rfc
        .scim(Method::POST, "/Users/.search", Some(search.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["totalResults"], 1);
    let r = rfc
        .scim(
            Method::POST,
            "/.search",
            Some(json!({"attributes": ["userName"]})),
        )
        .await;
    assert_eq!(r.body["totalResults"], 2);
    assert_eq!(
        r.body["Resources"][0],
        json!({"id": r.body["Resources"][0]["id"], "schemas": r.body["Resources"][0]["schemas"], "userName": "ada@acme.test"})
    );
}

#[tokio::test]
async fn attributes_and_excluded_attributes_on_a_single_get() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada").await);
    let r = app
        .scim(
            Method::GET,
            &format!("/Users/{id}?attributes=userName"),
            None,
        )
        .await;
    let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "schemas", "userName"]);
    let r = app.scim(Method::GET, &format!("/Users/{id}?excludedAttributes=name,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"), None).await;
    assert!(r.body.get("name").is_none());
    assert!(
        r.body
            .get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
            .is_none()
    );
    assert_eq!(r.body["userName"], "ada@acme.test");
}

/// The `userName eq` lookup serializes users straight to the wire; every other read goes
/// through a JSON tree. Both must answer the same resource, in either profile.
#[tokio::test]
async fn the_indexed_lookup_answers_what_a_get_by_id_answers() {
    for (app, has_meta) in [(TestApp::new().await, false), (TestApp::rfc().await, true)] {
        let created = app.create_user("ada@acme.test", "Ada Lovelace").await;
        let id = id_of(&created);
        let by_id = app.get_user(&id).await.body;
        let listed = app
            .scim(
                Method::GET,
                "/Users?filter=userName%20eq%20%22ada%40acme.test%22",
                None,
            )
            .await
            .body;
        assert_eq!(listed["Resources"][0], by_id);
        let projected = app
            .scim(
                Method::GET,
                "/Users?filter=userName%20eq%20%22ada%40acme.test%22&attributes=userName",
                None,
            )
            .await
            .body;
        assert_eq!(projected["Resources"][0]["userName"], "ada@acme.test");
        assert!(projected["Resources"][0].get("name").is_none());
        assert_eq!(by_id.get("meta").is_some(), has_meta, "{by_id}");
        if let Some(meta) = by_id.get("meta") {
            assert_eq!(meta["created"], app.clock.now().to_string());
            assert_eq!(
                meta["location"],
                format!("{}/Users/{id}", app.asana.scim_url())
            );
        }
    }
}

/// A person deprovisioned and provisioned again, cycle after cycle, keeps only the newest
/// history events: the record does not grow with the cycles.
#[tokio::test]
async fn a_users_history_keeps_the_newest_events_only() {
    let app = TestApp::new().await;
    let id = id_of(&app.create_user("ada@acme.test", "Ada Lovelace").await);
    let cycles = fake_asana::MAX_USER_EVENTS;
    for _ in 0..cycles {
        let gone = app
            .scim(Method::DELETE, &format!("/Users/{id}"), None)
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let back = app
            .scim(
                Method::POST,
                "/Users",
                Some(user_body("ada@acme.test", "Ada Lovelace")),
            )
            .await;
        assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
        assert_eq!(id_of(&back.body), id, "the same user, re-added");
    }
    let events = app.asana.user("ada@acme.test").unwrap().events;
    assert_eq!(events.len(), fake_asana::MAX_USER_EVENTS);
    assert_eq!(events.last().unwrap().event, "user_reprovisioned");
    assert_eq!(events[events.len() - 2].event, "user_deprovisioned");
}
