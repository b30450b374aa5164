//! The `rapidresponse` command with none of the caller's OpenAI or Codex
//! settings, for the CLI's tests; each gets its own exchange log (never
//! the user's).

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

static LOGS: AtomicUsize = AtomicUsize::new(0);

/// A log file no other command of this test run uses.
#[allow(dead_code)]
pub fn fresh_log() -> PathBuf {
    let n = LOGS.fetch_add(1, Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("rapidresponse-cli-{}-{n}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

pub fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rapidresponse"));
    for var in [
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_ORG_ID",
        "OPENAI_PROJECT_ID",
        "CODEX_HOME",
        "NO_COLOR",
    ] {
        c.env_remove(var);
    }
    c.env("RAPIDRESPONSE_LOG_DB", fresh_log());
    c
}
