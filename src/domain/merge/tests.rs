//! The merge rules one by one, then as properties over random stories and random edits.

use super::*;
use proptest::prelude::*;

fn story<'a>(headline: &'a str, body: &'a str) -> [(&'a str, &'a str); 2] {
    [("headline", headline), ("body", body)]
}

const BASE: &str = "One.\n\nTwo.\n\nThree.\n\nFour.";

fn body(fields: &Fields) -> &str {
    fields.get("body").unwrap()
}

#[test]
fn a_field_changed_on_one_side_takes_that_side() {
    let base = story("Talks end", BASE);
    let changed = story("Talks resume", BASE);

    let theirs_changed = merge(&base, &changed, &base);
    let mine_changed = merge(&base, &base, &changed);

    assert_eq!(
        theirs_changed.clean().unwrap().get("headline"),
        Some("Talks resume")
    );
    assert_eq!(
        theirs_changed.taken_from_theirs(),
        [Part::Field("headline".into())]
    );
    assert_eq!(
        mine_changed.clean().unwrap().get("headline"),
        Some("Talks resume")
    );
    assert!(mine_changed.taken_from_theirs().is_empty());
}

#[test]
fn holding_theirs_turns_what_only_they_changed_into_conflicts_and_merges_the_rest() {
    let base = story("Talks end", BASE);
    let theirs = story(
        "Talks resume",
        "One.\n\nTwo, unreviewed.\n\nThree.\n\nFour.",
    );
    let mine = story("Talks end", "One.\n\nTwo.\n\nThree.\n\nFour, edited.");

    let held = merge_holding_theirs(&base, &theirs, &mine);

    assert!(held.taken_from_theirs().is_empty());
    let parts: Vec<String> = held
        .conflicts()
        .iter()
        .map(|c| c.part.to_string())
        .collect();
    assert_eq!(parts, ["the headline", "paragraph 2"]);
    let paragraph = &held.conflicts()[1];
    assert_eq!(
        (paragraph.theirs.as_str(), paragraph.mine.as_str()),
        ("Two, unreviewed.", "Two.")
    );
    let mine_kept = held.resolve(&[Choice::Mine, Choice::Mine]).unwrap();
    assert_eq!(body(&mine_kept), "One.\n\nTwo.\n\nThree.\n\nFour, edited.");
    assert_eq!(mine_kept.get("headline"), Some("Talks end"));
}

#[test]
fn a_field_changed_identically_on_both_sides_is_taken_once() {
    let merged = merge(
        &story("Talks end", BASE),
        &story("Talks resume", BASE),
        &story("Talks resume", BASE),
    );
    assert_eq!(
        merged.clean().unwrap().get("headline"),
        Some("Talks resume")
    );
    assert!(merged.taken_from_theirs().is_empty());
}

#[test]
fn a_field_changed_differently_on_both_sides_conflicts() {
    let merged = merge(
        &story("Talks end", BASE),
        &story("Talks resume", BASE),
        &story("Talks collapse", BASE),
    );
    assert_eq!(
        merged.conflicts(),
        [Conflict {
            part: Part::Field("headline".into()),
            base: "Talks end".into(),
            theirs: "Talks resume".into(),
            mine: "Talks collapse".into(),
        }]
    );
    assert!(merged.clean().is_none());
    assert_eq!(merged.settled().get("body"), Some(BASE));
    assert_eq!(merged.settled().get("headline"), None);
}

#[test]
fn edits_to_neighbouring_paragraphs_merge() {
    let theirs = "One.\n\nTwo, theirs.\n\nThree.\n\nFour.";
    let mine = "One.\n\nTwo.\n\nThree, mine.\n\nFour.";
    let merged = merge(&story("H", BASE), &story("H", theirs), &story("H", mine));
    assert_eq!(
        body(&merged.clean().unwrap()),
        "One.\n\nTwo, theirs.\n\nThree, mine.\n\nFour."
    );
    assert_eq!(describe(merged.taken_from_theirs()), "paragraph 2");
}

#[test]
fn insertions_and_deletions_merge_when_they_touch_nothing_the_other_side_changed() {
    let theirs = "One.\n\nNew after one.\n\nTwo.\n\nThree.\n\nFour.";
    let mine = "One.\n\nTwo.\n\nThree.";
    let merged = merge(&story("H", BASE), &story("H", theirs), &story("H", mine));
    assert_eq!(
        body(&merged.clean().unwrap()),
        "One.\n\nNew after one.\n\nTwo.\n\nThree."
    );
    assert_eq!(
        describe(merged.taken_from_theirs()),
        "new paragraphs after paragraph 1"
    );
}

#[test]
fn an_insertion_next_to_a_paragraph_the_other_side_edited_merges() {
    let theirs = "One.\n\nTwo.\n\nNew.\n\nThree.\n\nFour.";
    let mine = "One.\n\nTwo, mine.\n\nThree, mine.\n\nFour.";
    let merged = merge(&story("H", BASE), &story("H", theirs), &story("H", mine));
    assert_eq!(
        body(&merged.clean().unwrap()),
        "One.\n\nTwo, mine.\n\nNew.\n\nThree, mine.\n\nFour."
    );
}

#[test]
fn an_insertion_inside_paragraphs_the_other_side_replaced_conflicts() {
    let theirs = "One.\n\nTwo.\n\nNew.\n\nThree.\n\nFour.";
    let mine = "One.\n\nTwo and three, merged by me.\n\nFour.";
    let merged = merge(&story("H", BASE), &story("H", theirs), &story("H", mine));
    assert_eq!(merged.conflicts().len(), 1);
    assert_eq!(merged.conflicts()[0].mine, "Two and three, merged by me.");
    assert_eq!(merged.conflicts()[0].theirs, "Two.\n\nNew.\n\nThree.");
}

#[test]
fn the_same_paragraph_changed_differently_conflicts_and_shows_only_that_paragraph() {
    let theirs = "One, theirs.\n\nTwo.\n\nThree, theirs.\n\nFour.";
    let mine = "One.\n\nTwo.\n\nThree, mine.\n\nFour.";
    let merged = merge(&story("H", BASE), &story("H", theirs), &story("H", mine));
    assert_eq!(
        merged.conflicts(),
        [Conflict {
            part: Part::Paragraphs {
                field: "body".into(),
                range: 2..3,
            },
            base: "Three.".into(),
            theirs: "Three, theirs.".into(),
            mine: "Three, mine.".into(),
        }]
    );
    assert_eq!(describe(merged.taken_from_theirs()), "paragraph 1");
    assert_eq!(merged.conflicts()[0].part.to_string(), "paragraph 3");
}

#[test]
fn the_same_paragraph_changed_identically_merges() {
    let both = "One.\n\nTwo, fixed.\n\nThree.\n\nFour.";
    let merged = merge(&story("H", BASE), &story("H", both), &story("H", both));
    assert_eq!(body(&merged.clean().unwrap()), both);
    assert!(merged.taken_from_theirs().is_empty());
}

#[test]
fn an_edit_against_a_deletion_conflicts() {
    let theirs = "One.\n\nThree.\n\nFour.";
    let mine = "One.\n\nTwo, mine.\n\nThree.\n\nFour.";
    let merged = merge(&story("H", BASE), &story("H", theirs), &story("H", mine));
    let conflict = &merged.conflicts()[0];
    assert_eq!(
        (conflict.theirs.as_str(), conflict.mine.as_str()),
        ("", "Two, mine.")
    );
}

#[test]
fn different_insertions_at_the_same_place_conflict() {
    let theirs = "One.\n\nTheirs.\n\nTwo.\n\nThree.\n\nFour.";
    let mine = "One.\n\nMine.\n\nTwo.\n\nThree.\n\nFour.";
    let merged = merge(&story("H", BASE), &story("H", theirs), &story("H", mine));
    assert_eq!(merged.conflicts().len(), 1);
    assert_eq!(
        merged.conflicts()[0].part.to_string(),
        "new paragraphs after paragraph 1"
    );
}

#[test]
fn separators_and_trailing_whitespace_make_no_phantom_conflict() {
    let theirs = "One.  \r\n\r\n\r\nTwo.\t\n \nThree.\r\n\r\nFour.\n\n";
    let mine = "One.\n\nTwo.\n\nThree, mine.   \n\n\n\nFour.";
    let merged = merge(
        &story("Talks end", BASE),
        &story("Talks end  ", theirs),
        &story("Talks end", mine),
    );
    assert!(merged.is_clean());
    assert!(merged.taken_from_theirs().is_empty());
    assert_eq!(
        body(&merged.clean().unwrap()),
        "One.\n\nTwo.\n\nThree, mine.\n\nFour."
    );
}

#[test]
fn lines_within_a_paragraph_are_kept() {
    let mine = "One,\nstill one.\n\nTwo.\n\nThree.\n\nFour.";
    let merged = merge(&story("H", BASE), &story("H", BASE), &story("H", mine));
    assert_eq!(body(&merged.clean().unwrap()), mine);
}

#[test]
fn each_conflict_is_resolved_by_the_choice_made_for_it() {
    let merged = merge(
        &story("Talks end", BASE),
        &story("Talks resume", "One, theirs.\n\nTwo.\n\nThree.\n\nFour."),
        &story(
            "Talks collapse",
            "One, mine.\n\nTwo.\n\nThree.\n\nFour, mine.",
        ),
    );
    let pick = |choices: &[Choice]| merged.resolve(choices).unwrap();

    let theirs = pick(&[Choice::Theirs, Choice::Theirs]);
    let mine = pick(&[
        Choice::Mine,
        Choice::Edited("One, edited.\n\n\nAnd more.  ".into()),
    ]);

    assert_eq!(theirs.get("headline"), Some("Talks resume"));
    assert_eq!(
        body(&theirs),
        "One, theirs.\n\nTwo.\n\nThree.\n\nFour, mine."
    );
    assert_eq!(mine.get("headline"), Some("Talks collapse"));
    assert_eq!(
        body(&mine),
        "One, edited.\n\nAnd more.\n\nTwo.\n\nThree.\n\nFour, mine."
    );
}

#[test]
fn a_conflict_resolved_by_an_empty_text_leaves_no_gap() {
    let merged = merge(
        &story("H", BASE),
        &story("H", "One.\n\nTwo, theirs.\n\nThree.\n\nFour."),
        &story("H", "One.\n\nTwo, mine.\n\nThree.\n\nFour."),
    );
    let fields = merged.resolve(&[Choice::Edited(String::new())]).unwrap();
    assert_eq!(body(&fields), "One.\n\nThree.\n\nFour.");
}

#[test]
fn resolving_needs_one_choice_per_conflict() {
    let merged = merge(
        &story("Talks end", BASE),
        &story("Talks resume", BASE),
        &story("Talks collapse", BASE),
    );
    assert!(merged.resolve(&[]).is_err());
    assert!(merged.resolve(&[Choice::Mine, Choice::Mine]).is_err());
}

#[test]
fn the_notice_names_every_part_taken_from_theirs() {
    let merged = merge(
        &story("Talks end", BASE),
        &story(
            "Talks resume",
            "One.\n\nTwo.\n\nThree, theirs.\n\nFour, theirs.",
        ),
        &story("Talks end", "One, mine.\n\nTwo.\n\nThree.\n\nFour."),
    );
    assert_eq!(
        describe(merged.taken_from_theirs()),
        "the headline, paragraph 3 and paragraph 4"
    );
}

#[test]
fn fields_merge_generically_whatever_their_names() {
    let base = [("caption", "A boat."), ("text", "A.\n\nB.")];
    let theirs = [("caption", "A red boat."), ("text", "A.\n\nB, theirs.")];
    let mine = [("text", "A, mine.\n\nB."), ("credit", "Ann Lee")];
    let merged = merge_with_body("text", &base, &theirs, &mine);
    // Mine has no caption: an emptied field against an edited one is a conflict, not a loss.
    assert_eq!(merged.conflicts()[0].part, Part::Field("caption".into()));
    let fields = merged.resolve(&[Choice::Theirs]).unwrap();
    assert_eq!(
        fields.into_vec(),
        [
            ("caption".to_owned(), "A red boat.".to_owned()),
            ("text".to_owned(), "A, mine.\n\nB, theirs.".to_owned()),
            ("credit".to_owned(), "Ann Lee".to_owned()),
        ]
    );
}

#[test]
fn a_word_diff_marks_removed_and_added_words() {
    let spans = word_diff("Talks end in Geneva", "Talks resume in Geneva");
    let marked: String = spans
        .iter()
        .map(|span| match span.tag() {
            Some(tag) => format!("<{tag}>{}</{tag}>", span.text),
            None => span.text.clone(),
        })
        .collect();
    assert_eq!(marked, "Talks <del>end</del><ins>resume</ins> in Geneva");
}

#[test]
fn a_conflict_highlights_what_each_side_changed() {
    let conflict = Conflict {
        part: Part::Field("headline".into()),
        base: "Talks end".into(),
        theirs: "Talks resume".into(),
        mine: "Talks end today".into(),
    };
    assert!(conflict.theirs_changes().iter().any(|s| s.text == "resume"));
    assert_eq!(
        conflict
            .mine_changes()
            .last()
            .map(|s| (s.kind, s.text.as_str())),
        Some((SpanKind::Added, " today"))
    );
}

// Properties. A plan gives each base paragraph at most one editor; that editor may rewrite
// it, delete it, or add a paragraph before it. New texts name their author and place, so
// they are unique and can be looked for in the result.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Nobody,
    Theirs,
    Mine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Rewrite,
    Delete,
    AddBefore,
}

type Plan = Vec<(Who, Edit)>;

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![Just(Who::Nobody), Just(Who::Theirs), Just(Who::Mine)]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        Just(Edit::Rewrite),
        Just(Edit::Delete),
        Just(Edit::AddBefore)
    ]
}

fn base_paragraphs() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[a-z]{1,6}( [a-z]{1,6}){0,4}", 1..10).prop_map(|words| {
        words
            .into_iter()
            .enumerate()
            .map(|(i, w)| format!("Base {i}: {w}."))
            .collect()
    })
}

fn base_and_plan() -> impl Strategy<Value = (Vec<String>, Plan)> {
    base_paragraphs().prop_flat_map(|base| {
        let plan = proptest::collection::vec((who(), edit()), base.len());
        (Just(base), plan)
    })
}

fn name(who: Who) -> &'static str {
    match who {
        Who::Theirs => "Theirs",
        Who::Mine => "Mine",
        Who::Nobody => "Nobody",
    }
}

/// The base with the edits of the plan made by any of `editors`.
fn edited(base: &[String], plan: &[(Who, Edit)], editors: &[Who]) -> String {
    let mut out = Vec::new();
    for (i, (paragraph, &(who, edit))) in base.iter().zip(plan).enumerate() {
        if !editors.contains(&who) {
            out.push(paragraph.clone());
            continue;
        }
        match edit {
            Edit::Rewrite => out.push(format!("{} rewrote {i}.", name(who))),
            Edit::Delete => {}
            Edit::AddBefore => {
                out.push(format!("{} added before {i}.", name(who)));
                out.push(paragraph.clone());
            }
        }
    }
    out.join("\n\n")
}

/// Text with odd separators and trailing whitespace, and any characters.
fn messy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n\n".to_owned()),
        Just("\r\n\r\n\r\n".to_owned()),
        Just(" \n\t\n".to_owned()),
        Just("  \n".to_owned()),
        Just("\n".to_owned()),
        "[a-z ]{1,12}",
        "\\PC{0,12}",
    ];
    proptest::collection::vec(piece, 0..20).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn edits_to_different_paragraphs_all_merge_whichever_side_is_mine(
        (base, plan) in base_and_plan(),
        headline_editor in who(),
    ) {
        let base_body = base.join("\n\n");
        let headline = |who: Who| if who == headline_editor && who != Who::Nobody {
            format!("Headline by {}", name(who))
        } else {
            "Headline".to_owned()
        };
        let (theirs_headline, mine_headline) = (headline(Who::Theirs), headline(Who::Mine));
        let theirs_body = edited(&base, &plan, &[Who::Theirs]);
        let mine_body = edited(&base, &plan, &[Who::Mine]);
        let both = edited(&base, &plan, &[Who::Theirs, Who::Mine]);
        let base = story("Headline", &base_body);
        let theirs = story(&theirs_headline, &theirs_body);
        let mine = story(&mine_headline, &mine_body);

        let merged = merge(&base, &theirs, &mine);
        let swapped = merge(&base, &mine, &theirs);

        let fields = merged.clean();
        prop_assert!(fields.is_some(), "conflicts: {:?}", merged.conflicts());
        let fields = fields.unwrap();
        prop_assert_eq!(body(&fields), both.as_str());
        let expected_headline = headline(headline_editor);
        prop_assert_eq!(fields.get("headline"), Some(expected_headline.as_str()));
        prop_assert_eq!(swapped.clean(), Some(fields));
        let theirs_edited = headline_editor == Who::Theirs
            || plan.iter().any(|(who, _)| *who == Who::Theirs);
        prop_assert_eq!(merged.taken_from_theirs().is_empty(), !theirs_edited);
    }

    #[test]
    fn the_same_paragraph_changed_differently_is_always_reported(
        (base, plan) in base_and_plan(),
        at in any::<prop::sample::Index>(),
        mine_deletes in any::<bool>(),
    ) {
        let k = at.index(base.len());
        let mut theirs_plan = plan.clone();
        theirs_plan[k] = (Who::Theirs, Edit::Rewrite);
        let mut mine_plan = plan;
        mine_plan[k] = (Who::Mine, if mine_deletes { Edit::Delete } else { Edit::Rewrite });
        let base_body = base.join("\n\n");
        let theirs_body = edited(&base, &theirs_plan, &[Who::Theirs]);
        let mine_body = edited(&base, &mine_plan, &[Who::Mine]);

        let merged = merge(
            &story("Headline", &base_body),
            &story("Theirs' headline", &theirs_body),
            &story("My headline", &mine_body),
        );

        let headline = Part::Field("headline".into());
        prop_assert!(merged.conflicts().iter().any(|c| c.part == headline));
        let theirs_text = format!("Theirs rewrote {k}.");
        let mine_text = format!("Mine rewrote {k}.");
        let reported = merged.conflicts().iter().any(|c| match &c.part {
            Part::Paragraphs { range, .. } => {
                range.contains(&k)
                    && c.base.contains(&base[k])
                    && !c.mine.contains(&base[k])
            }
            Part::Field(_) => false,
        });
        // Which base paragraph a rewrite is paired with can be read two ways when a side
        // also deletes and adds around it; either way each side's text is shown, never dropped.
        let shown = |text: &str, side: fn(&Conflict) -> &str, choice: Choice| {
            let choices = vec![choice; merged.conflicts().len()];
            merged.conflicts().iter().any(|c| side(c).contains(text))
                || body(&merged.resolve(&choices).unwrap()).contains(text)
        };
        prop_assert!(shown(&theirs_text, |c| &c.theirs, Choice::Mine), "{:?}", merged);
        prop_assert!(
            mine_deletes || shown(&mine_text, |c| &c.mine, Choice::Theirs),
            "{:?}",
            merged
        );
        prop_assert!(reported, "conflicts: {:?}", merged.conflicts());
    }

    #[test]
    fn merging_with_an_unchanged_side_gives_the_other_side(
        base_body in messy_text(),
        other_body in messy_text(),
        base_headline in messy_text(),
        other_headline in messy_text(),
    ) {
        let base = story(&base_headline, &base_body);
        let other = story(&other_headline, &other_body);
        let expected = Fields(vec![
            ("headline".to_owned(), normalise_value(&other_headline)),
            ("body".to_owned(), normalise_body(&other_body)),
        ]);

        prop_assert_eq!(merge(&base, &base, &other).clean(), Some(expected.clone()));
        prop_assert_eq!(merge(&base, &other, &base).clean(), Some(expected));
    }

    #[test]
    fn choosing_mine_everywhere_keeps_every_change_of_theirs_that_did_not_conflict(
        base in base_paragraphs(),
        theirs_edits in proptest::collection::vec(proptest::option::of(edit()), 10),
        mine_edits in proptest::collection::vec(proptest::option::of(edit()), 10),
        headline_changed_by_mine in any::<bool>(),
    ) {
        let plan = |who: Who, edits: &[Option<Edit>]| -> Plan {
            base.iter()
                .zip(edits)
                .map(|(_, e)| e.map_or((Who::Nobody, Edit::Rewrite), |e| (who, e)))
                .collect()
        };
        let theirs_plan = plan(Who::Theirs, &theirs_edits);
        let mine_plan = plan(Who::Mine, &mine_edits);
        let mine_headline = if headline_changed_by_mine { "My headline" } else { "Headline" };

        let merged = merge(
            &story("Headline", &base.join("\n\n")),
            &story("Theirs' headline", &edited(&base, &theirs_plan, &[Who::Theirs])),
            &story(mine_headline, &edited(&base, &mine_plan, &[Who::Mine])),
        );
        let fields = merged.resolve(&vec![Choice::Mine; merged.conflicts().len()]).unwrap();

        if !headline_changed_by_mine {
            prop_assert_eq!(fields.get("headline"), Some("Theirs' headline"));
        }
        let result = paragraphs(body(&fields));
        for (i, &(who, edit)) in theirs_plan.iter().enumerate() {
            if who == Who::Nobody || mine_edits_run(&theirs_plan, &mine_plan, i) {
                continue;
            }
            let kept = match edit {
                Edit::Rewrite => result.contains(&format!("Theirs rewrote {i}.")),
                Edit::Delete => !result.contains(&base[i]),
                Edit::AddBefore => result.contains(&format!("Theirs added before {i}.")),
            };
            prop_assert!(kept, "theirs' {:?} of {} lost: {:?}", edit, i, result);
        }
    }
}

/// Whether mine edited a paragraph in the run of consecutive paragraphs theirs edited
/// around paragraph `i`: only then can theirs' change at `i` be part of a conflict.
fn mine_edits_run(theirs: &[(Who, Edit)], mine: &[(Who, Edit)], i: usize) -> bool {
    let edited_by_theirs = |j: usize| theirs[j].0 == Who::Theirs;
    let start = (0..=i)
        .rev()
        .take_while(|&j| edited_by_theirs(j))
        .last()
        .unwrap_or(i);
    let end = (i..theirs.len())
        .take_while(|&j| edited_by_theirs(j))
        .last()
        .unwrap_or(i);
    (start..=end).any(|j| mine[j].0 == Who::Mine)
}
