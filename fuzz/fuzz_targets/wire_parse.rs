//! Wire copy: any text is a story or an error with a line number, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsroom::import::wire;

fuzz_target!(|text: &str| {
    if let Err(e) = wire::parse(text) {
        assert!(!e.message.is_empty());
    }
});
