//! Bringing copy from outside into the newsroom.

pub mod copy;
pub mod wire;
