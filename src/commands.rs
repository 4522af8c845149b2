//! The commands of `newsroom` that work on the database, each written once. The command line
//! runs one in its own process when it can open the database; when a running server holds it
//! (sled admits one process at a time), the server runs the very same function on the command
//! line's behalf, through its control channel ([`crate::control`]).
//!
//! So that either way prints the same, a command never touches the terminal or the caller's
//! files: it gets a [`Request`] holding everything the command line read (a password already
//! hashed, the files' contents), lines of [`Input`] for an import, and an [`Output`] that
//! carries what it prints back to the command line's standard output and error.

mod distribution;
mod search;
mod user;

use crate::storage::{Storage, Store};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io;
use std::num::NonZeroUsize;
use std::path::PathBuf;

/// One command and its arguments. Fields are plain text, parsed again where the command runs:
/// a request may come from another process.
///
/// Serialized as an object whose `kind` names the command (`{"kind":"user_list"}`); fields
/// added later must be optional, so that requests of other builds still read.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    UserAdd {
        username: String,
        role: String,
        /// Derived from the username when not given.
        initials: Option<String>,
        /// The password's argon2id hash, made by the command line: the password itself never
        /// leaves the process it was typed into.
        password_hash: String,
    },
    UserPasswd {
        username: String,
        password_hash: String,
    },
    UserList,
    UserDisable {
        username: String,
    },
    UserEnable {
        username: String,
    },
    /// Takes away an account's second factor and ends its sessions.
    UserReset2fa {
        username: String,
    },
    /// Writes the documents to the output, one a line.
    Export {
        base_url: String,
        site_name: String,
        /// The site's language, given for stories that name none.
        language: String,
    },
    /// Reads ninjs documents from the input, one a line; `source` names it in messages.
    Import {
        source: String,
        section: String,
        base_url: String,
        /// The site's language: a document in it is a story in the site's language.
        language: String,
        /// Into the desk's incoming list instead of published.
        #[serde(default)]
        incoming: bool,
    },
    /// Reads [`WireFile`]s from the input, one a line.
    ImportWire {
        section: String,
        page_words: Option<NonZeroUsize>,
        /// The copy's language; `None`: the site's.
        language: Option<String>,
        /// The agency's time zone, an IANA name: what the wire's time stamps are in.
        time_zone: String,
        /// Into the desk's incoming list instead of published.
        #[serde(default)]
        incoming: bool,
    },
    /// Backs up into `dir`, an absolute path (written by whoever runs the command, which is
    /// the server's own account when it runs there).
    Backup {
        dir: PathBuf,
    },
    SetupLink {
        base_url: String,
    },
    /// Makes the search index again from the stored stories and photos.
    Reindex,
}

impl Request {
    /// Every `kind`, for telling an unknown request from a malformed one.
    pub const KINDS: &[&str] = &[
        "user_add",
        "user_passwd",
        "user_list",
        "user_disable",
        "user_enable",
        "user_reset2fa",
        "export",
        "import",
        "import_wire",
        "backup",
        "setup_link",
        "reindex",
    ];

    /// The request's `kind`: what may be logged of it.
    pub fn kind(&self) -> &'static str {
        match self {
            Request::UserAdd { .. } => "user_add",
            Request::UserPasswd { .. } => "user_passwd",
            Request::UserList => "user_list",
            Request::UserDisable { .. } => "user_disable",
            Request::UserEnable { .. } => "user_enable",
            Request::UserReset2fa { .. } => "user_reset2fa",
            Request::Export { .. } => "export",
            Request::Import { .. } => "import",
            Request::ImportWire { .. } => "import_wire",
            Request::Backup { .. } => "backup",
            Request::SetupLink { .. } => "setup_link",
            Request::Reindex => "reindex",
        }
    }

    /// Whether the command reads lines of input.
    pub fn takes_input(&self) -> bool {
        matches!(self, Request::Import { .. } | Request::ImportWire { .. })
    }
}

impl fmt::Debug for Request {
    /// The kind alone: a request may hold a password hash.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

/// One file of wire copy, as a line of an `import_wire` request's input.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireFile {
    /// The file's name, for messages.
    pub name: String,
    pub text: String,
}

impl WireFile {
    pub fn to_line(&self) -> io::Result<String> {
        serde_json::to_string(self).map_err(io::Error::other)
    }
}

/// Lines of input: a file's lines, one at a time, never held whole.
pub type Input<'a> = &'a mut dyn Iterator<Item = io::Result<String>>;

/// Where a command's output goes.
pub trait Output {
    /// Text for standard output (or the file the command writes), exactly as given.
    fn out(&mut self, text: &str) -> io::Result<()>;
    /// A line for standard error: a problem that does not stop the command, or a summary.
    fn note(&mut self, line: &str) -> io::Result<()>;
}

/// The database a command works on, and how to name it in messages.
pub struct Site<'a> {
    pub store: &'a dyn Store,
    pub storage: &'a Storage,
}

/// Runs `request` on `site`. Changes are recorded in the audit log as made by the command line,
/// wherever it runs.
pub fn run(
    site: &Site<'_>,
    request: Request,
    input: Input<'_>,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let store = site.store;
    match request {
        Request::UserAdd {
            username,
            role,
            initials,
            password_hash,
        } => user::add(
            store,
            &username,
            &role,
            initials.as_deref(),
            &password_hash,
            output,
        ),
        Request::UserPasswd {
            username,
            password_hash,
        } => user::passwd(store, &username, &password_hash, output),
        Request::UserList => user::list(store, output),
        Request::UserDisable { username } => user::disable(store, &username, output),
        Request::UserEnable { username } => user::enable(store, &username, output),
        Request::UserReset2fa { username } => user::reset_two_factor(store, &username, output),
        Request::Export {
            base_url,
            site_name,
            language,
        } => distribution::export(store, &base_url, &site_name, &language, output),
        Request::Import {
            source,
            section,
            base_url,
            language,
            incoming: false,
        } => distribution::import(
            store, &source, &section, &base_url, &language, input, output,
        ),
        Request::Import {
            source,
            section,
            base_url,
            language,
            incoming: true,
        } => distribution::import_incoming(
            store, &source, &section, &base_url, &language, input, output,
        ),
        Request::ImportWire {
            section,
            page_words,
            language,
            time_zone,
            incoming: false,
        } => distribution::import_wire(
            store,
            &section,
            page_words,
            language.as_deref(),
            &time_zone,
            input,
            output,
        ),
        Request::ImportWire {
            section,
            page_words,
            language,
            time_zone,
            incoming: true,
        } => distribution::import_wire_incoming(
            store,
            &section,
            page_words,
            language.as_deref(),
            &time_zone,
            input,
            output,
        ),
        Request::Backup { dir } => distribution::backup(site, &dir, output),
        Request::SetupLink { base_url } => distribution::setup_link(site, &base_url, output),
        Request::Reindex => search::reindex(site, output),
    }
}

/// A line of output with its end.
fn line(output: &mut dyn Output, text: &str) -> io::Result<()> {
    output.out(&format!("{text}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_and_names_its_own_request() {
        let requests = [
            Request::UserAdd {
                username: "ann".into(),
                role: "writer".into(),
                initials: None,
                password_hash: "$argon2id$secret".into(),
            },
            Request::UserPasswd {
                username: "ann".into(),
                password_hash: "$argon2id$secret".into(),
            },
            Request::UserList,
            Request::UserDisable {
                username: "ann".into(),
            },
            Request::UserEnable {
                username: "ann".into(),
            },
            Request::UserReset2fa {
                username: "ann".into(),
            },
            Request::Export {
                base_url: "http://x".into(),
                site_name: "X".into(),
                language: "en".into(),
            },
            Request::Import {
                source: "f".into(),
                section: "world".into(),
                base_url: "http://x".into(),
                language: "en".into(),
                incoming: false,
            },
            Request::ImportWire {
                section: "world".into(),
                page_words: None,
                language: Some("ar".into()),
                time_zone: "UTC".into(),
                incoming: true,
            },
            Request::Backup {
                dir: "/tmp/b".into(),
            },
            Request::SetupLink {
                base_url: "http://x".into(),
            },
            Request::Reindex,
        ];
        assert_eq!(requests.len(), Request::KINDS.len());
        for request in requests {
            let json = serde_json::to_value(&request).unwrap();
            assert_eq!(json["kind"], request.kind());
            assert!(Request::KINDS.contains(&request.kind()));
        }
    }

    #[test]
    fn a_request_shows_no_password_hash_in_debug_output() {
        let request = Request::UserPasswd {
            username: "ann".into(),
            password_hash: "$argon2id$secret".into(),
        };
        assert!(!format!("{request:?}").contains("secret"));
    }
}
