//! What the search index holds: its fields, the one way text is read (the analyzer), and the
//! documents a story or a photo becomes. Per story a desk document and, while the story is
//! public, a reader document; per photo a photo document. All of one record's documents share
//! its key in [`Fields::key`], so one `delete_term` takes them all away.

use crate::domain::{Photo, Story};
use crate::storage::StatusFilter;
use crate::storage::search::{IndexedText, desk_text, photo_key, photo_text, reader_text};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, TantivyDocument};
use time::OffsetDateTime;

/// The analyzer of headlines, standfirsts and bodies: words, lower case, accents folded
/// ("Geneve" finds "Genève"), English stems ("talks" finds "talk").
pub(super) const WORDS: &str = "newsroom_words";
/// The analyzer of slugs and ids: words and lower case, never stemmed, so an identifier
/// matches as written.
pub(super) const IDENTIFIERS: &str = "newsroom_identifiers";

/// Changes whenever the schema or an analyzer changes: an index of another version is rebuilt.
pub(super) const SCHEMA_VERSION: u32 = 1;

/// The kinds of document, in [`Fields::kind`].
pub(super) const KIND_DESK: &str = "desk";
pub(super) const KIND_READER: &str = "reader";
pub(super) const KIND_PHOTO: &str = "photo";

#[derive(Clone, Copy)]
pub(super) struct Fields {
    /// The story id, or [`photo_key`] of a photo: one raw term per record.
    pub key: Field,
    pub kind: Field,
    pub section: Field,
    /// The desk's status-filter keys ([`StatusFilter::key`]), "review" among them.
    pub status: Field,
    /// Nanoseconds since 1970: the publication (0 when never published) and the last save.
    pub published: Field,
    pub updated: Field,
    pub headline: Field,
    pub standfirst: Field,
    pub body: Field,
    pub identifiers: Field,
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let words = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let identifiers = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(IDENTIFIERS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        kind: builder.add_text_field("kind", STRING),
        section: builder.add_text_field("section", STRING),
        status: builder.add_text_field("status", STRING),
        published: builder.add_i64_field("published", INDEXED | FAST),
        updated: builder.add_i64_field("updated", INDEXED | FAST),
        headline: builder.add_text_field("headline", words.clone()),
        standfirst: builder.add_text_field("standfirst", words.clone()),
        body: builder.add_text_field("body", words),
        identifiers: builder.add_text_field("identifiers", identifiers),
    };
    (builder.build(), fields)
}

/// Teaches `index` the analyzers the schema names; needed on every open.
pub(super) fn register_analyzers(index: &Index) {
    let words = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build();
    let identifiers = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(80))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    index.tokenizers().register(WORDS, words);
    index.tokenizers().register(IDENTIFIERS, identifiers);
}

/// Nanoseconds since 1970, as the index orders and filters by.
pub(super) fn nanos(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos()).unwrap_or(if at.year() < 1970 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// The documents a story is found by: the desk's always, the readers' while it is public.
pub(super) fn story_documents(fields: &Fields, story: &Story) -> Vec<TantivyDocument> {
    let key = story.id.to_string();
    let mut statuses = vec![StatusFilter::of(story.status).key()];
    if story.submitted {
        statuses.push(StatusFilter::ForReview.key());
    }
    let published = story.published_at.map_or(0, nanos);
    let mut docs = Vec::with_capacity(2);
    let mut desk = text_document(fields, &key, KIND_DESK, &desk_text(story));
    for status in statuses {
        desk.add_text(fields.status, status);
    }
    docs.push(desk);
    if let Some(text) = reader_text(story) {
        docs.push(text_document(fields, &key, KIND_READER, &text));
    }
    for doc in &mut docs {
        doc.add_text(fields.section, story.content.section.key());
        doc.add_i64(fields.published, published);
        doc.add_i64(fields.updated, nanos(story.updated_at));
    }
    docs
}

pub(super) fn photo_document(fields: &Fields, photo: &Photo) -> TantivyDocument {
    let mut doc = text_document(fields, &photo_key(photo.id), KIND_PHOTO, &photo_text(photo));
    doc.add_i64(fields.published, 0);
    doc.add_i64(fields.updated, nanos(photo.uploaded_at));
    doc
}

fn text_document(fields: &Fields, key: &str, kind: &str, text: &IndexedText) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.key, key);
    doc.add_text(fields.kind, kind);
    doc.add_text(fields.headline, &text.headline);
    doc.add_text(fields.standfirst, &text.standfirst);
    doc.add_text(fields.body, &text.body);
    doc.add_text(fields.identifiers, &text.identifiers);
    doc
}
