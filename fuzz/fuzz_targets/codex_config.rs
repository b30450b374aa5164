//! Any `config.toml`: parsing and resolving every profile in it never
//! panics, and a resolved configuration's Debug never shows a key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapidresponse_core::profile::CodexConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = CodexConfig::parse(text) else { return };
    let env = |k: &str| (k.len() % 2 == 0).then(|| "sk-fuzz-env-secret".to_owned());
    let mut names: Vec<Option<&str>> = config.profiles.keys().map(|k| Some(k.as_str())).collect();
    names.push(None);
    for name in names {
        if let Ok(resolved) = config.resolve(name, &env) {
            let shown = format!("{resolved:?}");
            assert!(!shown.contains("sk-fuzz-env-secret"), "{shown}");
        }
    }
});
