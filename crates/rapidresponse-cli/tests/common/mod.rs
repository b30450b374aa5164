//! The `rapidresponse` command with none of the caller's OpenAI or Codex
//! settings, for the CLI's tests.

use std::process::Command;

pub fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rapidresponse"));
    for var in [
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_ORG_ID",
        "OPENAI_PROJECT_ID",
        "CODEX_HOME",
    ] {
        c.env_remove(var);
    }
    c
}
