//! Datelines as typed on the desk or found in wire copy: parsed or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsroom::domain::Dateline;
use time::macros::date;

fuzz_target!(|text: &str| {
    if let Ok(dateline) = Dateline::parse(text, date!(2017 - 07 - 15)) {
        let _ = Dateline::parse(&dateline.to_form_value(), date!(2017 - 07 - 15));
    }
});
