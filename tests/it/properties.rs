//! Arbitrary input never makes the parsers, the renderer, the page splitter or the record
//! decoder panic, and every story that can exist survives a trip through the codec unchanged.

use newsroom::domain::{
    AltText, Body, Bylines, Caption, Credit, Dateline, Headline, Initials, LeadPhoto, PhotoId,
    Section, Source, Standfirst, Status, Story, UserId,
};
use newsroom::import::wire;
use newsroom::storage::codec;
use proptest::prelude::*;
use time::{Date, OffsetDateTime};

/// Text that looks like a story body: Markdown syntax, HTML, page breaks, odd whitespace and
/// any Unicode, in any order.
fn body_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<!--nextpage-->".to_owned()),
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("# ".to_owned()),
        Just("* ".to_owned()),
        Just("1. ".to_owned()),
        Just("> ".to_owned()),
        Just("```".to_owned()),
        Just("[a](javascript:alert(1))".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("| a | b |\n|---|---|".to_owned()),
        Just("**".to_owned()),
        Just("&amp;".to_owned()),
        "\\PC{0,20}",
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat())
}

/// Text shaped like wire copy: its lines in any order, some of them changed.
fn wire_like() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("Latest peace talks on Syria end without major breakthrough".to_owned()),
        Just("Source: Xinhua| 2017-07-15 07:11:57|Editor: ZD".to_owned()),
        Just("Source: | 2017-02-30 25:61:00|Editor:".to_owned()),
        Just("The envoy speaks. (Xinhua/POOL/Xu Jinquan)".to_owned()),
        Just("GENEVA, July 14 (Xinhua) -- The envoy said.".to_owned()),
        Just("GENEVA, Febtember 31 (Xinhua) --".to_owned()),
        Just(String::new()),
        "\\PC{0,60}",
        any::<String>(),
    ];
    proptest::collection::vec(line, 0..16).prop_map(|lines| lines.join("\n"))
}

fn some_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9À-ÿ一-龥 ,.'()/-]{{1,{max}}}"))
        .expect("a text pattern")
}

fn parsed<T>(
    text: impl Strategy<Value = String>,
    parse: fn(&str) -> Result<T, newsroom::domain::DomainError>,
) -> impl Strategy<Value = T>
where
    T: std::fmt::Debug,
{
    text.prop_filter_map("not a valid value", move |raw| parse(&raw).ok())
}

fn instant() -> impl Strategy<Value = OffsetDateTime> {
    // Any nanosecond between 1970 and 2200.
    (0_i128..7_258_118_400_000_000_000)
        .prop_map(|ns| OffsetDateTime::from_unix_timestamp_nanos(ns).expect("in range"))
}

fn story() -> impl Strategy<Value = Story> {
    let texts = (
        parsed(some_text(120), Headline::parse),
        proptest::option::of(parsed(some_text(200), Standfirst::parse)),
        parsed(some_text(60), Bylines::parse),
        proptest::option::of(parsed(some_text(30), Source::parse)),
        parsed(body_like(), Body::parse),
        proptest::option::of((
            proptest::option::of(any::<u128>()),
            parsed(some_text(200), Caption::parse),
            proptest::option::of(parsed(some_text(60), Credit::parse)),
            proptest::option::of(parsed(some_text(100), AltText::parse)),
        )),
        proptest::option::of(parsed("[A-Z]{2,3}", Initials::parse)),
    );
    let dateline = proptest::option::of(parsed(some_text(30), |raw| {
        Dateline::parse(
            &format!("{raw}, July 14"),
            Date::MIN.replace_year(2017).expect("2017"),
        )
    }));
    let meta = (
        any::<u64>(),
        0..Section::all().count(),
        0_u8..4,
        any::<bool>(),
        instant(),
        instant(),
        proptest::option::of(instant()),
        proptest::option::of(instant()),
        proptest::option::of(any::<u128>()),
    );
    (texts, dateline, meta).prop_map(
        |(
            (headline, standfirst, bylines, source, body, photo, editor),
            dateline,
            (revision, section, status, submitted, created, updated, published, revised, author),
        )| {
            let section = Section::all().nth(section).expect("a section");
            let mut story = Story::draft(headline, section, bylines, body, created);
            story.revision = revision;
            story.content.standfirst = standfirst;
            story.content.source = source;
            story.content.dateline = dateline;
            story.content.photo = photo.map(|(image, caption, credit, alt)| LeadPhoto {
                image: image.map(|n| PhotoId::from_bytes(n.to_be_bytes())),
                caption,
                credit,
                alt,
            });
            story.status = match status {
                0 => Status::Draft,
                1 => Status::Scheduled(updated),
                2 => Status::Published,
                _ => Status::Unpublished,
            };
            story.submitted = submitted;
            story.updated_at = updated;
            story.published_at = published;
            story.first_published_at = published;
            story.revised_at = revised;
            story.editor = editor;
            story.author = author.map(|n| UserId::from_bytes(n.to_be_bytes()));
            story.last_edited_by = story.author;
            story
        },
    )
}

/// Whether `html` is free of anything a browser would run: script elements, event handler
/// attributes, `javascript:` links.
fn runs_nothing(html: &str) -> bool {
    let fragment = scraper::Html::parse_fragment(html);
    fragment.root_element().descendants().all(|node| {
        let Some(element) = node.value().as_element() else {
            return true;
        };
        element.name() != "script"
            && element.attrs().all(|(name, value)| {
                !name.to_ascii_lowercase().starts_with("on")
                    && !value.trim().to_ascii_lowercase().starts_with("javascript:")
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_body_text_parses_or_is_refused_and_a_body_always_renders(raw in body_like()) {
        if let Ok(body) = Body::parse(&raw) {
            let pages = body.pages();
            prop_assert!(!pages.is_empty(), "a body has a page");
            prop_assert_eq!(body.page_count(), pages.len());
            prop_assert!(pages.iter().all(|p| !p.trim().is_empty()), "no empty page");
            for html in body.render_pages() {
                prop_assert!(runs_nothing(html.as_str()), "{}", html.as_str());
            }
            let _ = body.first_paragraph();
        }
    }

    #[test]
    fn the_pages_of_a_body_hold_all_its_text_but_the_breaks(raw in body_like()) {
        if let Ok(body) = Body::parse(&raw) {
            let joined: String = body.pages().concat();
            let without_breaks: String = body
                .as_str()
                .split_inclusive('\n')
                .filter(|line| line.trim() != newsroom::domain::body::PAGE_BREAK)
                .collect();
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            prop_assert_eq!(squeeze(&joined), squeeze(&without_breaks));
        }
    }

    #[test]
    fn any_text_is_wire_copy_or_an_error_with_a_line_number(text in wire_like()) {
        if let Err(e) = wire::parse(&text) {
            prop_assert!(e.line <= text.lines().count() + 1, "line {} of {}", e.line, text.lines().count());
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn every_story_survives_the_codec_unchanged(story in story()) {
        let bytes = codec::encode_story(&story).expect("encode");
        let decoded = codec::decode_story(&bytes).expect("decode");
        prop_assert_eq!(&decoded, &story);
        let summary = codec::decode_summary(&codec::encode_summary(&story.summary()).expect("encode"))
            .expect("decode summary");
        prop_assert_eq!(summary, story.summary());
    }

    #[test]
    fn damaged_records_are_errors_not_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = codec::decode_story(&bytes);
        let _ = codec::decode_summary(&bytes);
        let _ = codec::decode_user(&bytes);
        let _ = codec::decode_session(&bytes);
        let _ = codec::decode_audit(&bytes);
        let _ = codec::decode_photo(&bytes);
        let _ = codec::decode_change(&bytes);
        let _ = codec::decode_count(&bytes);
    }

    #[test]
    fn a_cut_or_flipped_story_record_is_an_error_not_a_panic(
        story in story(),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        bit in 0_u8..8,
    ) {
        let bytes = codec::encode_story(&story).expect("encode");
        let _ = codec::decode_story(&bytes[..cut.index(bytes.len())]);
        let mut flipped = bytes.clone();
        let at = flip.index(flipped.len());
        flipped[at] ^= 1 << bit;
        let _ = codec::decode_story(&flipped);
    }
}

#[test]
fn the_script_check_itself_spots_scripts_handlers_and_javascript_links() {
    assert!(!runs_nothing("<p>x</p><script>alert(1)</script>"));
    assert!(!runs_nothing("<img src=x onerror=alert(1)>"));
    assert!(!runs_nothing("<a href=' javascript:alert(1)'>x</a>"));
    assert!(runs_nothing(
        "<p>&lt;img src=x onerror=alert(1)&gt;</p><a href='/x'>x</a>"
    ));
}
