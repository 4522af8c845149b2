//! `newsroom user ...`: desk accounts from the command line. The rules live in
//! [`crate::accounts`]; the password was hashed where it was typed.

use super::{Output, line};
use crate::accounts::{self, Actor, NewAccount};
use crate::auth::password::parse_hash;
use crate::domain::{Initials, Role, Username};
use crate::storage::Store;

/// The command line as the audit log names it, at the time of the change.
fn command_line() -> Actor {
    Actor::command_line(crate::clock::Clock::system().now())
}

pub(super) fn add(
    store: &dyn Store,
    username: &str,
    role: &str,
    initials: Option<&str>,
    password_hash: &str,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let new = NewAccount {
        username: Username::parse(username)?,
        role: Role::parse(role)?,
        initials: initials.map(Initials::parse).transpose()?,
    };
    let hash = parse_hash(password_hash)?;
    let user = accounts::create(store, &command_line(), new, hash)?;
    line(
        output,
        &format!(
            "created {} account {} (initials {})",
            user.role, user.username, user.initials
        ),
    )?;
    Ok(())
}

pub(super) fn passwd(
    store: &dyn Store,
    username: &str,
    password_hash: &str,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let user = accounts::find(store, &Username::parse(username)?)?;
    let hash = parse_hash(password_hash)?;
    let (user, ended) = accounts::set_password(store, &command_line(), user.id, hash)?;
    line(
        output,
        &format!(
            "changed the password of {}; {}",
            user.username,
            accounts::sessions_ended(ended)
        ),
    )?;
    Ok(())
}

pub(super) fn disable(
    store: &dyn Store,
    username: &str,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let user = accounts::find(store, &Username::parse(username)?)?;
    let (user, ended) = accounts::disable(store, &command_line(), user.id)?;
    line(
        output,
        &format!(
            "disabled {}; {}",
            user.username,
            accounts::sessions_ended(ended)
        ),
    )?;
    Ok(())
}

pub(super) fn enable(
    store: &dyn Store,
    username: &str,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let user = accounts::find(store, &Username::parse(username)?)?;
    let user = accounts::enable(store, &command_line(), user.id)?;
    line(output, &format!("enabled {}", user.username))?;
    Ok(())
}

/// For an account whose owner lost both the phone and the recovery codes: the second factor
/// goes and every session ends; they log in with the password and set up a new one.
pub(super) fn reset_two_factor(
    store: &dyn Store,
    username: &str,
    output: &mut dyn Output,
) -> anyhow::Result<()> {
    let user = accounts::find(store, &Username::parse(username)?)?;
    let (user, ended) = accounts::reset_two_factor(store, &command_line(), user.id)?;
    line(
        output,
        &format!(
            "reset the second factor of {}; {}",
            user.username,
            accounts::sessions_ended(ended)
        ),
    )?;
    Ok(())
}

/// The accounts as an aligned table with a header line.
pub(super) fn list(store: &dyn Store, output: &mut dyn Output) -> anyhow::Result<()> {
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
    output.out(&out)?;
    Ok(())
}
