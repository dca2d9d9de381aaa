//! SCIM request bodies (users, groups, search requests) parse to a value or a 400, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    for status in [
        harness_scim::User::from_json(body.clone()).err().map(|e| e.status),
        harness_scim::Group::from_json(body.clone()).err().map(|e| e.status),
        harness_scim::ListQuery::from_search_request(&body).err().map(|e| e.status),
    ]
    .into_iter()
    .flatten()
    {
        assert_eq!(status, 400);
    }
});
