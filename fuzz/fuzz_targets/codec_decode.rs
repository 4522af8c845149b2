//! Stored records: damaged bytes are an error, never a panic; a story that decodes encodes
//! back to a record that decodes to the same story.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsroom::storage::codec;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(story) = codec::decode_story(bytes) {
        let again = codec::encode_story(&story).expect("a decoded story encodes");
        assert_eq!(codec::decode_story(&again).expect("and decodes"), story);
    }
    let _ = codec::decode_summary(bytes);
    let _ = codec::decode_user(bytes);
    let _ = codec::decode_session(bytes);
    let _ = codec::decode_audit(bytes);
    let _ = codec::decode_photo(bytes);
    let _ = codec::decode_change(bytes);
});
