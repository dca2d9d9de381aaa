//! PATCH parsing and application never panic; a failed PATCH changes nothing; a successful one
//! leaves JSON that the typed User parser accepts or refuses with a 400.
#![no_main]

use harness_scim::patch::{PatchOptions, PatchRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Ok(request) = PatchRequest::from_json(body) else { return };
    let original = serde_json::json!({"userName": "a@b.c", "name": {"formatted": "A B"}, "emails": [{"value": "a@b.c", "type": "work"}]});
    for create in [false, true] {
        let mut resource = original.clone();
        match request.apply(&mut resource, PatchOptions { create_on_unmatched_replace: create }) {
            Ok(()) => {
                if let Err(e) = harness_scim::User::from_json(resource) {
                    assert_eq!(e.status, 400);
                }
            }
            Err(e) => {
                assert_eq!(e.status, 400);
                assert_eq!(resource, original);
            }
        }
    }
});
