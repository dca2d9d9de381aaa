//! The filter parser never panics or overflows, and whatever it accepts renders to text that
//! parses back to the same filter and evaluates without panicking.
#![no_main]

use harness_scim::Filter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(filter) = Filter::parse(text) {
        let rendered = filter.to_string();
        let again = Filter::parse(&rendered).expect("a rendered filter parses");
        assert_eq!(again, filter, "{rendered}");
        let user = serde_json::json!({"userName": "a@b.c", "emails": [{"value": "a@b.c", "type": "work"}], "active": true});
        let _ = filter.matches(&user);
    }
});
