//! The `tern` binary: see the library's documentation.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    tern_server::main()
}
