//! OneLogin's user bodies parse to changes or to a message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(message) = fake_onelogin::tools::parse_user_body(data) {
        assert!(!message.to_string().is_empty());
    }
});
