//! `newsroom user ...`: accounts from the command line, for the first admin, for scripts and for
//! when no admin can log in. The rules live in [`crate::accounts`].

use crate::accounts::{self, Actor, NewAccount};
use crate::auth::password::hash_blocking;
use crate::domain::{Initials, Password, Role, Username};
use crate::settings::Settings;
use crate::storage::Store;
use anyhow::Context;
use std::io::{BufRead, IsTerminal};

#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input (one line) when it is not a
    /// terminal, and asked for without echo when it is.
    Add {
        #[arg(value_parser = parse_username)]
        username: Username,
        /// What the account may do: writer, editor or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Shown as "Editor: ZD" on stories the account publishes; derived from the username
        /// when not given.
        #[arg(long, value_parser = parse_initials)]
        initials: Option<Initials>,
    },
    /// Set an account's password (read as for `add`) and end its sessions.
    Passwd {
        #[arg(value_parser = parse_username)]
        username: Username,
    },
    /// List every account: username, role, initials and whether it is disabled.
    List,
    /// Disable an account and end its sessions at once.
    Disable {
        #[arg(value_parser = parse_username)]
        username: Username,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(value_parser = parse_username)]
        username: Username,
    },
}

fn parse_username(raw: &str) -> Result<Username, String> {
    Username::parse(raw).map_err(|e| e.to_string())
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).map_err(|e| e.to_string())
}

fn parse_initials(raw: &str) -> Result<Initials, String> {
    Initials::parse(raw).map_err(|e| e.to_string())
}

pub fn run(settings: &Settings, args: UserArgs) -> anyhow::Result<()> {
    // Opening first means a running server is reported before anyone types a password.
    let store = super::open_store(settings)?;
    let cli = Actor::command_line(crate::clock::Clock::system().now());
    match args.command {
        UserCommand::Add {
            username,
            role,
            initials,
        } => {
            if store.user_by_name(&username)?.is_some() {
                return Err(accounts::AccountError::UsernameTaken(username.to_string()).into());
            }
            let hash = hash_blocking(&read_new_password(&username)?)?;
            let new = NewAccount {
                username,
                role,
                initials,
            };
            let user = accounts::create(&*store, &cli, new, hash)?;
            println!(
                "created {} account {} (initials {})",
                user.role, user.username, user.initials
            );
        }
        UserCommand::Passwd { username } => {
            let user = accounts::find(&*store, &username)?;
            let hash = hash_blocking(&read_new_password(&username)?)?;
            let (user, ended) = accounts::set_password(&*store, &cli, user.id, hash)?;
            println!(
                "changed the password of {}; {}",
                user.username,
                accounts::sessions_ended(ended)
            );
        }
        UserCommand::List => print!("{}", list(&*store)?),
        UserCommand::Disable { username } => {
            let user = accounts::find(&*store, &username)?;
            let (user, ended) = accounts::disable(&*store, &cli, user.id)?;
            println!(
                "disabled {}; {}",
                user.username,
                accounts::sessions_ended(ended)
            );
        }
        UserCommand::Enable { username } => {
            let user = accounts::find(&*store, &username)?;
            let user = accounts::enable(&*store, &cli, user.id)?;
            println!("enabled {}", user.username);
        }
    }
    Ok(())
}

/// The accounts as an aligned table with a header line.
fn list(store: &dyn Store) -> anyhow::Result<String> {
    let users = store.users()?;
    let mut rows = vec![[
        "USERNAME".to_owned(),
        "ROLE".to_owned(),
        "INITIALS".to_owned(),
        "STATUS".to_owned(),
    ]];
    for user in &users {
        rows.push([
            user.username.to_string(),
            user.role.to_string(),
            user.initials.to_string(),
            if user.disabled { "disabled" } else { "active" }.to_owned(),
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    if users.is_empty() {
        out.push_str("(no accounts yet; add one with `newsroom user add NAME --role admin`)\n");
    }
    Ok(out)
}

/// A new password: one line of standard input when that is a pipe or file, otherwise typed
/// twice at the terminal without echo.
fn read_new_password(username: &Username) -> anyhow::Result<Password> {
    let raw = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {username}: "))
            .context("cannot read the password from the terminal")?;
        // Checked before the second prompt, so a short one is not typed twice for nothing.
        Password::new(&first).map_err(password_error)?;
        let again = rpassword::prompt_password("The same password again: ")
            .context("cannot read the password from the terminal")?;
        anyhow::ensure!(
            first == again,
            "the two passwords differ; nothing was changed"
        );
        first
    } else {
        let mut line = String::new();
        let read = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        anyhow::ensure!(
            read > 0,
            "no password on standard input; give it as one line, or run the command in a terminal"
        );
        line.strip_suffix('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or(&line)
            .to_owned()
    };
    Password::new(&raw).map_err(password_error)
}

fn password_error(e: crate::domain::DomainError) -> anyhow::Error {
    anyhow::anyhow!("{e}; nothing was changed")
}
