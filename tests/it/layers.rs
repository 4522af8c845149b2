//! Dependencies point one way: every module under src/ is read, and a reference to a layer
//! above its own (`use crate::web::...`, a `crate::cli::...` path in code, a `super::` that
//! climbs out of its layer into another) is reported with its file and line.
//!
//! The layers, lowest first: `domain`, `clock` and `telemetry` use nothing of ours; `urls` uses
//! `domain`; `storage` uses `domain` and `clock`; the services use those and each other;
//! `views` use `domain`, `urls` and plain `storage` page types; `web` uses anything but the
//! commands; `cli`, `startup` and `main` sit on top.

use std::path::Path;

/// The services: rules and work that the web layer and the commands share.
const SERVICES: &[&str] = &[
    "accounts",
    "auth",
    "authors",
    "commands",
    "control",
    "editorial",
    "front_page",
    "import",
    "ingest",
    "metrics",
    "ninjs",
    "photo_library",
    "photos",
    "related",
    "scheduler",
    "sections",
    "settings",
    "tags",
];

/// References allowed against the rules, each with its reason; none today.
const EXCEPTIONS: &[(&str, &str)] = &[];

/// What modules of the layer `layer` may use besides their own layer; `None` for a module that
/// is in no layer yet.
fn allowed(layer: &str) -> Option<Vec<&'static str>> {
    let leaves = ["domain", "clock", "telemetry", "urls", "storage"];
    let services = || leaves.iter().chain(SERVICES).copied();
    Some(match layer {
        "domain" | "clock" | "telemetry" => vec![],
        "urls" => vec!["domain"],
        "storage" => vec!["domain", "clock"],
        "views" => vec!["domain", "urls", "storage"],
        "web" => services().chain(["views"]).collect(),
        "cli" | "startup" | "main" => services()
            .chain(["views", "web", "cli", "startup"])
            .collect(),
        // Services use what is below them and each other.
        service if SERVICES.contains(&service) => services().collect(),
        _ => return None,
    })
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect_sources(&src, &mut files);
    assert!(files.len() > 20, "the sources were not found under {src:?}");
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src.parent().unwrap()).unwrap();
        let relative = relative.to_string_lossy().replace('\\', "/");
        let source = std::fs::read_to_string(&file).unwrap();
        found.extend(violations(&relative, &source));
    }
    assert!(
        found.is_empty(),
        "modules importing a layer above their own:\n{}",
        found.join("\n")
    );
}

fn collect_sources(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_sources(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Every reference in `source` (the file `path`, as `src/...`) to a layer it may not use, as
/// `path:line: ...`.
fn violations(path: &str, source: &str) -> Vec<String> {
    let module = module_of(path);
    let Some(layer) = module.first().cloned() else {
        return Vec::new(); // lib.rs only lists the modules
    };
    let Some(allowed) = allowed(&layer) else {
        return vec![format!(
            "{path}:1: the module `{layer}` is in no layer; place it in tests/it/layers.rs"
        )];
    };
    let code = code_only(source);
    let mut found = Vec::new();
    for reference in references(&code, &module) {
        let target = reference.path.split("::").next().unwrap_or_default();
        let excepted = EXCEPTIONS.iter().any(|(from, to)| {
            *from == layer
                && (reference.path == *to || reference.path.starts_with(&format!("{to}::")))
        });
        if target == layer || allowed.contains(&target) || excepted {
            continue;
        }
        found.push(format!(
            "{path}:{}: {layer} uses {target} (`{}`)",
            reference.line, reference.written
        ));
    }
    found
}

/// The module path of a file: `src/views/desk.rs` is `views::desk`, `src/main.rs` is `main`,
/// `src/lib.rs` the crate root.
fn module_of(path: &str) -> Vec<String> {
    let inner = path.strip_prefix("src/").unwrap_or(path);
    let inner = inner.strip_suffix(".rs").unwrap_or(inner);
    let mut parts: Vec<String> = inner.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] {
        parts.pop();
    }
    parts
}

/// The source with comments and the contents of string and character literals blanked out,
/// lines kept, so that only code is searched and braces in text are not counted.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let closing: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            out.push_str(&" ".repeat(j + 1 - i));
            i = j + 1;
            while i < chars.len() && !chars[i..].starts_with(&closing) {
                out.push(blank(chars[i]));
                i += 1;
            }
            out.push_str(&" ".repeat(closing.len()));
            i += closing.len();
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    out.push(blank(ch));
                }
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal ('{', '\n', '\''); a lifetime has no closing quote.
            let mut j = i + 1;
            if chars.get(j) == Some(&'\\') {
                j += 2;
            } else {
                j += 1;
            }
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            out.push_str(&" ".repeat(j + 1 - i));
            i = j + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

struct Reference {
    line: usize,
    /// The absolute path referred to, from the crate root: `web::desk::story_form`.
    path: String,
    /// As written in the source.
    written: String,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path in `code` that starts at the crate root (`crate::`, `$crate::`) or climbs with
/// `super::`, resolved against the module the code is in (`module`, plus inline `mod x { }`).
fn references(code: &str, module: &[String]) -> Vec<Reference> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut line = 1;
    // Inline modules open at this point, with the brace depth at which each was opened.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut pending_mod: Option<String> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at_word_start = i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':');
        match c {
            '\n' => line += 1,
            '{' => {
                depth += 1;
                if let Some(name) = pending_mod.take() {
                    inline.push((name, depth));
                }
            }
            '}' => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            ';' => pending_mod = None,
            _ => {}
        }
        if at_word_start && is_ident(c) {
            let start = i;
            let mut end = i;
            while end < chars.len() && (is_ident(chars[end]) || chars[end] == ':') {
                end += 1;
            }
            // A path may continue into a group: `crate::{a, b::c}`.
            let word: String = chars[start..end].iter().collect();
            if word == "mod" {
                let mut j = end;
                while chars.get(j).is_some_and(|c| c.is_whitespace()) {
                    j += 1;
                }
                let name_end = (j..chars.len())
                    .find(|&k| !is_ident(chars[k]))
                    .unwrap_or(chars.len());
                pending_mod = Some(chars[j..name_end].iter().collect());
            }
            if word.starts_with("crate::") || word.starts_with("super::") {
                let mut current: Vec<String> = module.to_vec();
                current.extend(inline.iter().map(|(name, _)| name.clone()));
                let group = if chars.get(end) == Some(&'{') {
                    let close = matching_brace(&chars, end);
                    Some(chars[end + 1..close].iter().collect::<String>())
                } else {
                    None
                };
                for path in resolve(&word, group.as_deref(), &current) {
                    found.push(Reference {
                        line,
                        path,
                        written: match &group {
                            Some(g) => format!(
                                "{word}{{{}}}",
                                g.split_whitespace().collect::<Vec<_>>().join(" ")
                            ),
                            None => word.clone(),
                        },
                    });
                }
            }
            // `$crate::` is `crate::` from inside a macro.
            i = end;
            continue;
        }
        i += 1;
    }
    found
}

fn matching_brace(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (k, c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    chars.len()
}

/// The absolute paths a written path names: one, or one per member of a trailing group.
fn resolve(word: &str, group: Option<&str>, current: &[String]) -> Vec<String> {
    let mut segments: Vec<&str> = word.split("::").collect();
    let mut base: Vec<String> = Vec::new();
    if segments.first() == Some(&"crate") {
        segments.remove(0);
    } else {
        base = current.to_vec();
        while segments.first() == Some(&"super") {
            segments.remove(0);
            if base.pop().is_none() {
                return Vec::new(); // above the crate root: not a path rustc accepts
            }
        }
    }
    base.extend(
        segments
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string()),
    );
    let members: Vec<String> = match group {
        Some(group) => split_group(group)
            .into_iter()
            .map(|member| {
                let mut path = base.clone();
                path.extend(
                    member
                        .split("::")
                        .map(str::trim)
                        .take_while(|s| !s.is_empty() && s.chars().all(is_ident))
                        .map(str::to_owned),
                );
                path.join("::")
            })
            .collect(),
        None => vec![base.join("::")],
    };
    // A path within the crate root itself (`super::*` from a top module) names no layer.
    members.into_iter().filter(|p| !p.is_empty()).collect()
}

/// The members of a `{a, b::{c, d}, e as f}` group, at its top level.
fn split_group(group: &str) -> Vec<String> {
    let mut members = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                members.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    members.push(current);
    members
        .into_iter()
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect()
}

mod the_checker {
    use super::violations;

    #[test]
    fn names_the_file_and_line_of_a_view_that_imports_the_web_layer() {
        let source = "//! A page.\n\nuse crate::domain::Story;\nuse crate::web::AppState;\n";

        let found = violations("src/views/reader.rs", source);

        assert_eq!(
            found,
            ["src/views/reader.rs:4: views uses web (`crate::web::AppState`)"]
        );
    }

    #[test]
    fn catches_a_crate_path_in_code_and_a_member_of_a_group() {
        let in_code = "fn f() {\n    let _ = crate::cli::Cli::from_args();\n}\n";
        let in_group = "use crate::{domain::Story, views::ErrorPage};\n";

        assert_eq!(
            violations("src/storage/codec.rs", in_code),
            ["src/storage/codec.rs:2: storage uses cli (`crate::cli::Cli::from_args`)"]
        );
        assert_eq!(violations("src/ninjs.rs", in_group).len(), 1);
    }

    #[test]
    fn catches_super_climbing_out_of_its_layer_but_not_within_it() {
        let escape = "use super::super::web::State;\n";
        let within =
            "use super::{Pager, Timestamp};\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n";
        let tests_of_a_top_module = "#[cfg(test)]\nmod tests {\n    use super::*;\n}\n";

        assert_eq!(
            violations("src/views/desk.rs", escape),
            ["src/views/desk.rs:1: views uses web (`super::super::web::State`)"]
        );
        // From `views::desk::form`, `super::super` is `views` itself.
        assert!(violations("src/views/desk/form.rs", escape).is_empty());
        assert!(violations("src/views/reader.rs", within).is_empty());
        assert!(violations("src/views.rs", tests_of_a_top_module).is_empty());
    }

    #[test]
    fn reads_no_path_in_comments_or_text() {
        let source = "// crate::web::AppState\n/* crate::cli */\nconst A: &str = \"crate::web\";\nconst B: &str = r#\"super::super::web\"#;\nconst C: char = '{';\nuse crate::storage::Store;\n";

        assert_eq!(
            violations("src/domain/story.rs", source),
            ["src/domain/story.rs:6: domain uses storage (`crate::storage::Store`)"]
        );
    }

    #[test]
    fn views_may_not_reach_into_the_web_layer() {
        let form = "use crate::web::desk::story_form::{FieldErrors, StoryInput};\n";

        assert!(!violations("src/views/desk.rs", form).is_empty());
        assert!(
            violations(
                "src/views/desk.rs",
                "use crate::domain::story_form::StoryInput;\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn a_module_in_no_layer_is_reported() {
        let found = violations("src/newthing.rs", "use crate::domain::Story;\n");

        assert_eq!(found.len(), 1);
        assert!(found[0].contains("in no layer"), "{found:?}");
    }
}
