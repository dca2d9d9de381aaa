//! The scenario loader turns any text into a scenario or an error with a place, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(e) = harness_scenario::load_str(text, "fuzz.yaml") {
        assert_eq!(e.file, "fuzz.yaml");
        assert!(!e.message.is_empty());
    }
});
