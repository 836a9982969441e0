//! tern (being written).
fn main() {}
