//! The story form's values exactly as typed, described by one table of fields: reading a field
//! by name, writing the values back as pairs, filling the form from a story and laying out the
//! templates all follow the table, so a new field is one line of it (and its parsing in
//! [`apply`]). Turning the values into a [`StoryEdit`] reports every wrong field at once.

use super::site_zone::{self, LocalTimeError, OffsetChoice};
use super::{
    AltText, Body, Bylines, Caption, Credit, Dateline, DomainError, Headline, LeadPhoto, PhotoId,
    Section, SiteZone, Slug, Source, Standfirst, Status, Story, StoryContent, StoryEdit,
};
use super::{Language, NoteDraft, NoteKind, NoteText, Tags};
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// How a field is shown on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Carried along, never typed: a revision, an attached photo's id.
    Hidden,
    /// One line of text, at most this many characters (0: no limit in the page).
    Line(usize),
    /// Several lines, this many rows high.
    Lines(usize),
    /// One of the site's sections.
    Section,
    /// A `datetime-local` value.
    DateTime,
    /// One of the kinds of public note.
    NoteKind,
    /// Which of the two moments a `DateTime` field's time names when the clocks show it twice
    /// (see [`offset_choice`]); not shown otherwise.
    Offset,
}

/// Where on the form a field sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldGroup {
    /// The story's words, in the main column.
    Story,
    /// The lead photo's caption, credit and alt text.
    Photo,
    /// Publication time, for editors only.
    Schedule,
    /// A public note added when a published story is updated, for editors only.
    Note,
}

/// A field's place in a row of short fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowPart {
    /// Not in a row: a line of its own.
    Alone,
    First,
    Inside,
    Last,
}

/// One field of the story form.
pub struct Field {
    /// The form's name for it, and the key of its errors.
    pub name: &'static str,
    pub label: &'static str,
    /// Said after the label, in small print; empty for none.
    pub hint: &'static str,
    pub kind: FieldKind,
    pub group: FieldGroup,
    pub required: bool,
    /// Its place in a row of short fields shown side by side.
    pub row: RowPart,
    get: fn(&StoryInput) -> &String,
    get_mut: fn(&mut StoryInput) -> &mut String,
    from_story: fn(&Story, &SiteZone) -> String,
}

impl Field {
    pub fn value<'a>(&self, input: &'a StoryInput) -> &'a str {
        (self.get)(input)
    }

    pub fn is_hidden(&self) -> bool {
        self.kind == FieldKind::Hidden
    }

    /// The choice between a repeated hour's two moments, shown only when it is needed.
    pub fn is_offset(&self) -> bool {
        self.kind == FieldKind::Offset
    }

    pub fn is_date_time(&self) -> bool {
        self.kind == FieldKind::DateTime
    }

    /// The id of the element holding this field's error, for `aria-describedby`.
    pub fn error_id(&self) -> String {
        format!("{}-error", self.name)
    }

    pub fn in_group(&self, group: &str) -> bool {
        let mine = match self.group {
            FieldGroup::Story => "story",
            FieldGroup::Photo => "photo",
            FieldGroup::Schedule => "schedule",
            FieldGroup::Note => "note",
        };
        !self.is_hidden() && !self.is_offset() && mine == group
    }

    /// Several lines of text (a `textarea`) this many rows high, or 0 for another control.
    pub fn rows(&self) -> usize {
        match self.kind {
            FieldKind::Lines(rows) => rows,
            _ => 0,
        }
    }

    /// The `maxlength` of a line of text, or 0 for none.
    pub fn max_length(&self) -> usize {
        match self.kind {
            FieldKind::Line(max) => max,
            _ => 0,
        }
    }

    pub fn is_section(&self) -> bool {
        self.kind == FieldKind::Section
    }

    pub fn is_note_kind(&self) -> bool {
        self.kind == FieldKind::NoteKind
    }

    /// The `type` of an `input` element, for a field shown as one.
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            FieldKind::DateTime => "datetime-local",
            FieldKind::Hidden | FieldKind::Offset => "hidden",
            _ => "text",
        }
    }

    pub fn opens_row(&self) -> bool {
        self.row == RowPart::First
    }

    pub fn closes_row(&self) -> bool {
        self.row == RowPart::Last
    }
}

/// Declares [`StoryInput`] and [`FIELDS`] from one list, so the two cannot drift apart.
macro_rules! story_fields {
    ($(
        $(#[$doc:meta])*
        $name:ident {
            label: $label:literal, hint: $hint:literal, kind: $kind:expr, group: $group:ident,
            required: $required:literal, row: $row:ident,
            from_story: $from_story:expr $(,)?
        }
    )*) => {
        /// Every field of the form exactly as typed, so it can always be shown back.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct StoryInput {
            $($(#[$doc])* pub $name: String,)*
        }

        /// The story form's fields, in the order the form shows them.
        pub const FIELDS: &[Field] = &[$(
            Field {
                name: stringify!($name),
                label: $label,
                hint: $hint,
                kind: $kind,
                group: FieldGroup::$group,
                required: $required,
                row: RowPart::$row,
                get: |input| &input.$name,
                get_mut: |input| &mut input.$name,
                from_story: $from_story,
            },
        )*];
    };
}

story_fields! {
    /// The revision the form was loaded from; empty for a new story.
    revision {
        label: "Revision", hint: "", kind: FieldKind::Hidden, group: Story, required: false,
        row: Alone,
        from_story: |s, _| s.revision.to_string(),
    }
    /// A photo already stored (uploaded earlier or kept from the story).
    photo_id {
        label: "Photo", hint: "", kind: FieldKind::Hidden, group: Story, required: false,
        row: Alone,
        from_story: |s, _| s.content.photo.as_ref().and_then(|p| p.image).map(|id| id.to_string()).unwrap_or_default(),
    }
    headline {
        label: "Headline", hint: "", kind: FieldKind::Line(200), group: Story, required: true,
        row: Alone,
        from_story: |s, _| s.content.headline.to_string(),
    }
    standfirst {
        label: "Standfirst", hint: "optional summary under the headline", kind: FieldKind::Lines(2),
        group: Story, required: false,
        row: Alone,
        from_story: |s, _| optional_text(s.content.standfirst.as_ref()),
    }
    bylines {
        label: "Byline", hint: "one per line", kind: FieldKind::Lines(2), group: Story, required: true,
        row: Alone,
        from_story: |s, _| s.content.bylines.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
    }
    dateline {
        label: "Dateline", hint: "e.g. GENEVA, July 14 (Xinhua)", kind: FieldKind::Line(0),
        group: Story, required: false,
        row: First,
        from_story: |s, _| s.content.dateline.as_ref().map(Dateline::to_form_value).unwrap_or_default(),
    }
    source {
        label: "Source", hint: "agency, e.g. Xinhua", kind: FieldKind::Line(0), group: Story,
        required: false,
        row: Inside,
        from_story: |s, _| optional_text(s.content.source.as_ref()),
    }
    section {
        label: "Section", hint: "", kind: FieldKind::Section, group: Story, required: false,
        row: Last,
        from_story: |s, _| s.content.section.key().to_owned(),
    }
    slug {
        label: "Slug", hint: "the end of the address; left empty, it is made from the headline",
        kind: FieldKind::Line(100), group: Story, required: false,
        row: Alone,
        from_story: |s, _| s.content.slug.to_string(),
    }
    tags {
        label: "Tags", hint: "separated by commas, e.g. Syria, Peace talks",
        kind: FieldKind::Line(0), group: Story, required: false,
        row: Alone,
        from_story: |s, _| s.content.tags.to_form(),
    }
    language {
        label: "Language", hint: "e.g. en, fr, zh-Hans, ar; left empty, the site's",
        kind: FieldKind::Line(35), group: Story, required: false,
        row: Alone,
        from_story: |s, _| s.content.language.as_ref().map(ToString::to_string).unwrap_or_default(),
    }
    filed_at {
        label: "Filed at", hint: "when the copy was filed, which becomes its publication time",
        kind: FieldKind::DateTime, group: Story, required: false,
        row: Alone,
        from_story: |s, zone| s.filed_at().map(|at| zone.input_value_seconds(at)).unwrap_or_default(),
    }
    /// Which moment `filed_at` names, when the clocks showed it twice.
    filed_at_offset {
        label: "Filed at", hint: "", kind: FieldKind::Offset, group: Story, required: false,
        row: Alone,
        from_story: |s, zone| s.filed_at().map(|at| offset_of(at, zone)).unwrap_or_default(),
    }
    embargo {
        label: "Embargo until", hint: "nothing of the story is public before then",
        kind: FieldKind::DateTime, group: Story, required: false,
        row: Alone,
        from_story: |s, zone| s.content.embargo.map(|at| zone.input_value(at)).unwrap_or_default(),
    }
    /// Which moment `embargo` names, when the clocks showed it twice.
    embargo_offset {
        label: "Embargo until", hint: "", kind: FieldKind::Offset, group: Story, required: false,
        row: Alone,
        from_story: |s, zone| s.content.embargo.map(|at| offset_of(at, zone)).unwrap_or_default(),
    }
    body {
        label: "Body",
        hint: "Markdown; a line holding only <!--nextpage--> starts a new page",
        kind: FieldKind::Lines(24), group: Story, required: true,
        row: Alone,
        from_story: |s, _| s.content.body.as_str().to_owned(),
    }
    caption {
        label: "Caption",
        hint: "left empty, the photo's own caption, credit and alt text are used",
        kind: FieldKind::Lines(2), group: Photo, required: false,
        row: Alone,
        from_story: |s, _| s.content.photo.as_ref().map(|p| p.caption.to_string()).unwrap_or_default(),
    }
    credit {
        label: "Credit", hint: "e.g. Xinhua/POOL/Xu Jinquan; required to publish",
        kind: FieldKind::Line(0), group: Photo, required: false,
        row: Alone,
        from_story: |s, _| optional_text(s.content.photo.as_ref().and_then(|p| p.credit.as_ref())),
    }
    alt {
        label: "Alt text",
        hint: "what the photo shows, for readers who cannot see it; required to publish",
        kind: FieldKind::Line(0), group: Photo, required: false,
        row: Alone,
        from_story: |s, _| optional_text(s.content.photo.as_ref().and_then(|p| p.alt.as_ref())),
    }
    schedule_at {
        label: "Publication time", hint: "for Schedule", kind: FieldKind::DateTime,
        group: Schedule, required: false,
        row: Alone,
        from_story: |s, zone| match s.status {
            Status::Scheduled(at) => zone.input_value(at),
            _ => String::new(),
        },
    }
    /// Which moment `schedule_at` names, when the clocks showed it twice.
    schedule_at_offset {
        label: "Publication time", hint: "", kind: FieldKind::Offset, group: Schedule,
        required: false,
        row: Alone,
        from_story: |s, zone| match s.status {
            Status::Scheduled(at) => offset_of(at, zone),
            _ => String::new(),
        },
    }
    /// The kind of the public note typed in `note_text`.
    note_kind {
        label: "Kind of note", hint: "", kind: FieldKind::NoteKind, group: Note, required: false,
        row: Alone,
        from_story: |_, _| String::new(),
    }
    /// A public note to add as the story's changes go live; empty for none.
    note_text {
        label: "Public note",
        hint: "shown to readers with the story from now on; left empty, no note is added",
        kind: FieldKind::Lines(3), group: Note, required: false,
        row: Alone,
        from_story: |_, _| String::new(),
    }
}

fn optional_text(value: Option<&impl ToString>) -> String {
    value.map(ToString::to_string).unwrap_or_default()
}

impl StoryInput {
    /// The form of `story`, its times on `zone`'s clocks.
    pub fn from_story(story: &Story, zone: &SiteZone) -> Self {
        let mut input = Self::default();
        for field in FIELDS {
            *(field.get_mut)(&mut input) = (field.from_story)(story, zone);
        }
        input
    }

    /// The form of a stored story as the desk edits it: with its pending changes, if any. A
    /// form filled from a live story's own content would, once saved, replace those changes.
    pub fn editing(story: &Story, zone: &SiteZone) -> Self {
        match story.pending {
            Some(_) => Self::from_story(&story.as_edited(), zone),
            None => Self::from_story(story, zone),
        }
    }

    /// A blank form for a new story.
    pub fn blank() -> Self {
        Self {
            section: "world".into(),
            ..Self::default()
        }
    }

    /// Sets the field named `name` as the form names it; other names are ignored.
    pub fn set(&mut self, name: &str, value: String) {
        if let Some(field) = field(name) {
            *(field.get_mut)(self) = value;
        }
    }

    /// The fields by name, as [`StoryInput::set`] takes them back.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        FIELDS
            .iter()
            .map(|f| (f.name.to_owned(), f.value(self).to_owned()))
            .collect()
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut input = Self::default();
        for (name, value) in pairs {
            input.set(&name, value);
        }
        input
    }

    /// The revision the form was loaded from. Anything but a number (one too large included)
    /// counts as none, which the service treats as out of date.
    pub fn base_revision(&self) -> Option<u64> {
        self.revision.trim().parse().ok()
    }
}

/// The field the form names `name`.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The key errors of the field named `name` are filed under: the field's own name, `photo` for
/// the upload, or `form` for anything else.
pub fn error_key(name: &str) -> &'static str {
    match field(name) {
        Some(field) => field.name,
        None if name == "photo" => "photo",
        None => "form",
    }
}

/// A `datetime-local` value in UTC, what the form holds on a site whose zone is UTC.
pub fn format_local(at: OffsetDateTime) -> String {
    SiteZone::utc().input_value(at)
}

/// The choice an `…_offset` field holds for a stored time: empty unless the clocks showed its
/// local time twice (see [`SiteZone::choice_of`]).
fn offset_of(at: OffsetDateTime, zone: &SiteZone) -> String {
    zone.choice_of(at)
}

/// The two moments the time typed in the `DateTime` field named `name` may mean, when the
/// zone's clocks showed it twice; `None` for any other time (or none typed, or one that does
/// not parse). The form asks with these which is meant.
pub fn offset_choice(input: &StoryInput, name: &str, zone: &SiteZone) -> Option<[OffsetChoice; 2]> {
    let field = field(name).filter(|f| f.is_date_time())?;
    let local = local_time(field.value(input).trim())?;
    match zone.resolve(local, "") {
        Err(LocalTimeError::Twice { choices, .. }) => Some(choices),
        _ => None,
    }
}

/// The name of the field holding the choice of moment for the `DateTime` field `name`.
pub fn offset_field(name: &str) -> String {
    format!("{name}_offset")
}

/// What the user asked for with the button they pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Save,
    Submit,
    Publish,
    Schedule,
    /// Schedule for the time the embargo ends (offered when publishing is refused for it).
    ScheduleAtEmbargo,
    Unpublish,
    Preview,
    /// Put a published story's pending changes (as the form holds them) live.
    UpdateLive,
    /// Drop a published story's pending changes.
    DiscardChanges,
}

impl Action {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "publish" => Action::Publish,
            "submit" => Action::Submit,
            "schedule" => Action::Schedule,
            "schedule-embargo" => Action::ScheduleAtEmbargo,
            "unpublish" => Action::Unpublish,
            "preview" => Action::Preview,
            "update-live" => Action::UpdateLive,
            "discard-changes" => Action::DiscardChanges,
            _ => Action::Save,
        }
    }

    /// Actions only editors may take.
    pub fn needs_editor(self) -> bool {
        matches!(
            self,
            Action::Publish
                | Action::Schedule
                | Action::ScheduleAtEmbargo
                | Action::Unpublish
                | Action::UpdateLive
                | Action::DiscardChanges
        )
    }

    /// The word the story page's `?saved=` takes after this action.
    pub fn key(self) -> &'static str {
        match self {
            Action::Publish => "publish",
            Action::Schedule | Action::ScheduleAtEmbargo => "schedule",
            Action::Unpublish => "unpublish",
            Action::Submit => "submit",
            Action::Save | Action::Preview => "save",
            Action::UpdateLive => "update-live",
            Action::DiscardChanges => "discard",
        }
    }
}

/// The error key of a Publish or Schedule refused for an embargo: the form shows its message and
/// offers to schedule the story for the embargo time.
pub const EMBARGO_OFFER: &str = "embargo-offer";

/// Field errors, keyed by form field name (`photo` for the upload, `form` for the whole form).
pub type FieldErrors = Vec<(&'static str, String)>;

fn record<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    result: Result<T, DomainError>,
) -> Option<T> {
    result.map_err(|e| errors.push((field, e.to_string()))).ok()
}

fn optional<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Option<T> {
    if raw.trim().is_empty() {
        None
    } else {
        record(errors, field, parse(raw))
    }
}

/// Parses the form's content. `dateline_date` completes a dateline typed without a year: the
/// story's publication date, or today for a story not published. Returns every field's
/// problem at once, so the user can fix them all in one go.
pub fn apply(
    input: &StoryInput,
    dateline_date: Date,
    zone: &SiteZone,
) -> Result<StoryEdit, FieldErrors> {
    let mut errors = FieldErrors::new();
    let headline = record(&mut errors, "headline", Headline::parse(&input.headline));
    let standfirst = optional(
        &mut errors,
        "standfirst",
        &input.standfirst,
        Standfirst::parse,
    );
    let bylines = record(&mut errors, "bylines", Bylines::parse(&input.bylines));
    let source = optional(&mut errors, "source", &input.source, Source::parse);
    let section = record(&mut errors, "section", Section::parse(&input.section));
    let dateline = optional(&mut errors, "dateline", &input.dateline, |raw| {
        Dateline::parse(raw, dateline_date)
    });
    let body = record(&mut errors, "body", Body::parse(&input.body));
    let slug = match (&headline, input.slug.trim()) {
        (Some(headline), "") => Some(Slug::from_headline(headline.as_str())),
        (_, raw) => record(&mut errors, "slug", Slug::parse(raw)),
    };
    let tags = record(&mut errors, "tags", Tags::parse(&input.tags)).unwrap_or_default();
    let language = optional(&mut errors, "language", &input.language, Language::parse);
    let photo = photo(input, &mut errors);
    let embargo = match input.embargo.trim() {
        "" => None,
        raw => parse_time(raw, &input.embargo_offset, "embargo", zone)
            .map_err(|e| errors.push(e))
            .ok(),
    };
    let filed_at = match input.filed_at.trim() {
        "" => None,
        raw => parse_filed_at(raw, &input.filed_at_offset, zone)
            .map_err(|e| errors.push(("filed_at", e)))
            .ok(),
    };
    let (Some(headline), Some(bylines), Some(section), Some(body), Some(slug), true) =
        (headline, bylines, section, body, slug, errors.is_empty())
    else {
        return Err(errors);
    };
    Ok(StoryEdit {
        content: StoryContent {
            headline,
            standfirst,
            slug,
            section,
            bylines,
            source,
            dateline,
            body,
            photo,
            embargo,
            tags,
            language,
            byline_links: Default::default(),
        },
        filed_at,
    })
}

/// The public note typed on the form, if any: its words are what counts, so a kind chosen with
/// no words adds nothing.
pub fn note(input: &StoryInput) -> Result<Option<NoteDraft>, FieldErrors> {
    if input.note_text.trim().is_empty() {
        return Ok(None);
    }
    let mut errors = FieldErrors::new();
    let kind = match input.note_kind.trim() {
        "" => Some(NoteKind::Correction),
        raw => record(&mut errors, "note_kind", NoteKind::parse(raw)),
    };
    let text = record(&mut errors, "note_text", NoteText::parse(&input.note_text));
    match (kind, text) {
        (Some(kind), Some(text)) => Ok(Some(NoteDraft { kind, text })),
        _ => Err(errors),
    }
}

fn photo(input: &StoryInput, errors: &mut FieldErrors) -> Option<LeadPhoto> {
    let image = match input.photo_id.trim() {
        "" => None,
        raw => match raw.parse::<PhotoId>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push((
                    "photo",
                    "the attached photo is not valid; please attach it again".into(),
                ));
                None
            }
        },
    };
    let words_given = [&input.caption, &input.credit, &input.alt]
        .iter()
        .any(|s| !s.trim().is_empty());
    if image.is_none() && !words_given {
        return None;
    }
    let caption = record(errors, "caption", Caption::parse(&input.caption));
    let credit = optional(errors, "credit", &input.credit, Credit::parse);
    let alt = optional(errors, "alt", &input.alt, AltText::parse);
    Some(LeadPhoto {
        image,
        caption: caption?,
        credit,
        alt,
    })
}

/// The publication time typed for scheduling, which must be in the future.
pub fn schedule_time(
    input: &StoryInput,
    now: OffsetDateTime,
    zone: &SiteZone,
) -> Result<OffsetDateTime, FieldErrors> {
    let raw = input.schedule_at.trim();
    if raw.is_empty() {
        return Err(vec![(
            "schedule_at",
            "Choose the publication time to schedule the story".into(),
        )]);
    }
    let at =
        parse_time(raw, &input.schedule_at_offset, "schedule_at", zone).map_err(|e| vec![e])?;
    if at <= now {
        return Err(vec![(
            "schedule_at",
            "The publication time is in the past; choose a later time".into(),
        )]);
    }
    Ok(at)
}

/// The embargo time typed on the form, for scheduling the story then; it must lie ahead (an
/// embargo that has passed no longer holds the story back).
pub fn embargo_time(
    input: &StoryInput,
    now: OffsetDateTime,
    zone: &SiteZone,
) -> Result<OffsetDateTime, FieldErrors> {
    let raw = input.embargo.trim();
    if raw.is_empty() {
        return Err(vec![(
            "embargo",
            "The story has no embargo to schedule it for".into(),
        )]);
    }
    let at = parse_time(raw, &input.embargo_offset, "embargo", zone).map_err(|e| vec![e])?;
    if at <= now {
        return Err(vec![(
            "embargo",
            "The embargo has passed; publish the story instead".into(),
        )]);
    }
    Ok(at)
}

/// The filing time typed on the form, which must not lie ahead of `now`: a story filed in the
/// future would be published with a date readers have not reached.
pub fn filed_at_time(
    input: &StoryInput,
    now: OffsetDateTime,
    zone: &SiteZone,
) -> Result<Option<OffsetDateTime>, FieldErrors> {
    let raw = input.filed_at.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let at =
        parse_filed_at(raw, &input.filed_at_offset, zone).map_err(|e| vec![("filed_at", e)])?;
    if at > now {
        return Err(vec![(
            "filed_at",
            format!(
                "Filed at: {} is later than now ({}); a story cannot have been filed in the \
                 future",
                zone.input_value_seconds(at).replace('T', " "),
                zone.named(now)
            ),
        )]);
    }
    Ok(Some(at))
}

/// A wire story's filing time, to the second, on `zone`'s clocks: as the wire writes it
/// (`2017-07-15 07:11:57`) or as a browser sends a `datetime-local` (`2017-07-15T07:11:57`, the
/// seconds left out when they are zero). `chosen` says which moment a repeated time means.
fn parse_filed_at(raw: &str, chosen: &str, zone: &SiteZone) -> Result<OffsetDateTime, String> {
    const SHAPES: [&str; 4] = [
        "dddd-dd-dd dd:dd:dd",
        "dddd-dd-ddTdd:dd:dd",
        "dddd-dd-dd dd:dd",
        "dddd-dd-ddTdd:dd",
    ];
    let formats = [
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    ];
    let shape: String = raw
        .chars()
        .map(|c| if c.is_ascii_digit() { 'd' } else { c })
        .collect();
    let Some(i) = SHAPES.iter().position(|s| *s == shape) else {
        return Err(format!(
            "Filed at: use YYYY-MM-DD HH:MM:SS, such as 2017-07-15 07:11:57 (not {raw:?})"
        ));
    };
    let local = PrimitiveDateTime::parse(raw, &formats[i])
        .map_err(|_| format!("Filed at: {raw} is not a date and time that exists"))?;
    if !site_zone::year_in_range(local.year()) {
        return Err(format!("Filed at: {}", out_of_range(raw)));
    }
    zone.resolve(local, chosen)
        .map_err(|e| format!("Filed at: {raw}: {e}"))
}

/// Why a year outside those the site keeps is refused.
fn out_of_range(raw: &str) -> String {
    format!(
        "{raw:?} is not a date from the year {} to {}: check the year",
        site_zone::EARLIEST_YEAR,
        site_zone::LATEST_YEAR
    )
}

/// A `datetime-local` value as a date and time without a zone (seconds or a space allowed).
fn local_time(raw: &str) -> Option<PrimitiveDateTime> {
    let formats = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
    ];
    formats
        .iter()
        .find_map(|f| PrimitiveDateTime::parse(raw, f).ok())
}

/// A `datetime-local` value (seconds or a space allowed) on `zone`'s clocks, `chosen` saying
/// which moment a repeated time means; `field` names the error. Years outside 1900–9999 are
/// refused: `0000` or `-0001` is a slip of the keyboard, and would be kept as typed and then
/// written out in a form other systems cannot read.
fn parse_time(
    raw: &str,
    chosen: &str,
    field: &'static str,
    zone: &SiteZone,
) -> Result<OffsetDateTime, (&'static str, String)> {
    let local = local_time(raw).ok_or_else(|| {
        (
            field,
            format!("{raw:?} is not a date and time like 2026-12-01T09:30"),
        )
    })?;
    if !site_zone::year_in_range(local.year()) {
        return Err((field, out_of_range(raw)));
    }
    zone.resolve(local, chosen)
        .map_err(|e| (field, format!("{}: {e}", raw.replace('T', " "))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn the_fields_survive_a_trip_through_name_value_pairs() {
        let mut typed = input();
        typed.revision = "3".into();
        typed.schedule_at = "2026-12-01T09:30".into();
        typed.alt = "Delegates".into();
        assert_eq!(StoryInput::from_pairs(typed.to_pairs()), typed);
    }

    #[test]
    fn every_field_of_the_table_is_named_once() {
        let mut names: Vec<_> = FIELDS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len());
        assert!(names.iter().all(|n| error_key(n) == *n));
        assert_eq!(error_key("photo"), "photo");
        assert_eq!(error_key("anything else"), "form");
    }

    #[test]
    fn a_story_read_into_the_form_parses_back_to_the_same_content() {
        let edit = apply(&input(), date!(2026 - 01 - 01), &SiteZone::utc()).unwrap();
        let story = Story::new_draft(edit.content.clone(), None, datetime!(2026-01-01 00:00 UTC));
        let form = StoryInput::from_story(&story, &SiteZone::utc());
        assert_eq!(form.revision, "0");
        assert_eq!(
            apply(&form, date!(2026 - 01 - 01), &SiteZone::utc()).unwrap(),
            edit
        );
    }

    #[test]
    fn a_revision_too_large_for_a_number_is_no_revision() {
        let typed = StoryInput {
            revision: "99999999999999999999999".into(),
            ..input()
        };
        assert_eq!(typed.base_revision(), None);
        let max = StoryInput {
            revision: u64::MAX.to_string(),
            ..input()
        };
        assert_eq!(max.base_revision(), Some(u64::MAX));
    }

    fn input() -> StoryInput {
        StoryInput {
            headline: "Talks end".into(),
            bylines: "Ann Lee".into(),
            section: "world".into(),
            body: "Text.".into(),
            ..StoryInput::default()
        }
    }

    #[test]
    fn a_valid_form_gives_the_content_and_derives_the_slug() {
        let content = apply(&input(), date!(2026 - 01 - 01), &SiteZone::utc())
            .unwrap()
            .content;
        assert_eq!(content.headline.as_str(), "Talks end");
        assert_eq!(content.slug.as_str(), "talks-end");
        assert!(content.photo.is_none());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = StoryInput {
            headline: " ".into(),
            body: "".into(),
            slug: "Bad Slug".into(),
            ..input()
        };
        let errors = apply(&bad, date!(2026 - 01 - 01), &SiteZone::utc()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["headline", "body", "slug"]);
    }

    #[test]
    fn a_photo_needs_a_caption() {
        let with_photo = StoryInput {
            photo_id: PhotoId::new().to_string(),
            ..input()
        };
        let errors = apply(&with_photo, date!(2026 - 01 - 01), &SiteZone::utc()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
        // Credit and alt text are checked when publishing, so a draft can be saved without.
        assert_eq!(fields, vec!["caption"]);
    }

    #[test]
    fn the_filing_time_is_read_to_the_second_as_the_wire_or_a_browser_writes_it() {
        let filed = |raw: &str| {
            apply(
                &StoryInput {
                    filed_at: raw.into(),
                    ..input()
                },
                date!(2026 - 01 - 01),
                &SiteZone::utc(),
            )
            .map(|edit| edit.filed_at)
        };
        let at = Some(datetime!(2017-07-15 07:11:57 UTC));
        assert_eq!(filed("2017-07-15 07:11:57").unwrap(), at);
        assert_eq!(filed("2017-07-15T07:11:57").unwrap(), at);
        assert_eq!(
            filed("2017-07-15T07:11").unwrap(),
            Some(datetime!(2017-07-15 07:11 UTC)),
            "a browser leaves out seconds that are zero"
        );
        assert_eq!(filed(" ").unwrap(), None);
    }

    #[test]
    fn a_filing_time_not_in_the_wire_s_form_says_what_the_form_is() {
        let error = |raw: &str| {
            let errors = apply(
                &StoryInput {
                    filed_at: raw.into(),
                    ..input()
                },
                date!(2026 - 01 - 01),
                &SiteZone::utc(),
            )
            .unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].0, "filed_at");
            errors[0].1.clone()
        };
        for bad in [
            "15/07/2017 07:11",
            "2017-07-15",
            "yesterday",
            "2017-7-15 07:11:57",
        ] {
            assert!(
                error(bad).starts_with("Filed at: use YYYY-MM-DD HH:MM:SS"),
                "{bad}: {}",
                error(bad)
            );
        }
        assert_eq!(
            error("2017-02-30 07:11:57"),
            "Filed at: 2017-02-30 07:11:57 is not a date and time that exists"
        );
        assert!(error("2017-07-15 25:11:57").contains("is not a date and time that exists"));
    }

    #[test]
    fn a_filing_time_cannot_lie_ahead() {
        let now = datetime!(2026-06-01 12:00 UTC);
        let at = |raw: &str| {
            filed_at_time(
                &StoryInput {
                    filed_at: raw.into(),
                    ..input()
                },
                now,
                &SiteZone::utc(),
            )
        };
        assert_eq!(
            at("2026-06-01 12:00:00").unwrap(),
            Some(datetime!(2026-06-01 12:00 UTC))
        );
        assert_eq!(at("").unwrap(), None);
        let errors = at("2026-06-01 12:00:01").unwrap_err();
        assert_eq!(
            errors[0].1,
            "Filed at: 2026-06-01 12:00:01 is later than now (1 June 2026, 12:00 (UTC)); a story \
             cannot have been filed in the future"
        );
    }

    #[test]
    fn a_schedule_time_must_be_in_the_future() {
        let now = datetime!(2026-06-01 12:00 UTC);
        let at = |raw: &str| {
            schedule_time(
                &StoryInput {
                    schedule_at: raw.into(),
                    ..input()
                },
                now,
                &SiteZone::utc(),
            )
        };
        assert_eq!(
            at("2026-06-01T12:30").unwrap(),
            datetime!(2026-06-01 12:30 UTC)
        );
        assert!(at("2026-06-01T11:59").unwrap_err()[0].1.contains("past"));
        assert!(at("tomorrow").is_err());
        assert!(at("").is_err());
    }

    #[test]
    fn a_year_outside_1900_to_9999_is_refused_in_every_date_field() {
        for year in ["-0001", "0000", "1899", "0026"] {
            let typed = StoryInput {
                embargo: format!("{year}-07-15T07:11"),
                filed_at: format!("{year}-07-15 07:11:57"),
                ..input()
            };
            let errors = apply(&typed, date!(2026 - 01 - 01), &SiteZone::utc()).unwrap_err();
            let fields: Vec<_> = errors.iter().map(|(f, _)| *f).collect();
            assert_eq!(fields, ["embargo", "filed_at"], "{year}: {errors:?}");
            assert!(
                errors[0].1.contains("from the year 1900 to 9999"),
                "{errors:?}"
            );
        }
        let typed = StoryInput {
            embargo: "1900-01-01T00:00".into(),
            filed_at: "9999-12-31 23:59:59".into(),
            ..input()
        };
        assert!(apply(&typed, date!(2026 - 01 - 01), &SiteZone::utc()).is_ok());
    }

    #[test]
    fn times_are_typed_on_the_site_s_clocks_and_a_repeated_one_is_asked_about() {
        let london = SiteZone::parse("Europe/London").unwrap();
        let now = datetime!(2026-06-01 12:00 UTC);
        let typed = |raw: &str, chosen: &str| StoryInput {
            schedule_at: raw.into(),
            schedule_at_offset: chosen.into(),
            ..input()
        };
        assert_eq!(
            schedule_time(&typed("2026-07-01T14:00", ""), now, &london).unwrap(),
            datetime!(2026-07-01 13:00 UTC)
        );
        let gap = schedule_time(&typed("2026-03-29T01:30", ""), now, &london);
        assert!(gap.is_err());
        let skipped = schedule_time(&typed("2027-03-28T01:30", ""), now, &london).unwrap_err();
        assert!(skipped[0].1.contains("does not exist"), "{skipped:?}");
        let twice = schedule_time(&typed("2026-10-25T01:30", ""), now, &london).unwrap_err();
        assert!(twice[0].1.contains("happens twice"), "{twice:?}");
        let choices = offset_choice(&typed("2026-10-25T01:30", ""), "schedule_at", &london)
            .expect("a choice");
        assert_eq!(choices[1].label, "01:30 GMT (+00:00)");
        assert_eq!(
            schedule_time(&typed("2026-10-25T01:30", &choices[1].value), now, &london).unwrap(),
            datetime!(2026-10-25 01:30 UTC)
        );
        assert!(offset_choice(&typed("2026-07-01T14:00", ""), "schedule_at", &london).is_none());
    }
}
