//! Bringing copy from outside into the newsroom.

pub mod wire;
