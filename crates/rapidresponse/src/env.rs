//! Configuration from the environment and from Codex's `config.toml`, as
//! the official SDKs read them. The lookups are functions so tests need no
//! process-wide environment; `Client::from_env` passes `std::env::var`.

use rapidresponse_core::profile::{CodexConfig, ResolvedProfile};
use rapidresponse_core::{AzureAuth, ClientConfig, Error, Provider, Secret};
use std::path::PathBuf;

/// A variable, treating an empty value as unset.
fn get(env: &dyn Fn(&str) -> Option<String>, key: &str) -> Option<String> {
    env(key).filter(|v| !v.trim().is_empty())
}

/// OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID,
/// OPENAI_WEBHOOK_SECRET. A
/// missing key is an error naming the variable, as in openai-python.
pub fn openai_config(env: &dyn Fn(&str) -> Option<String>) -> Result<ClientConfig, Error> {
    let key = get(env, "OPENAI_API_KEY").ok_or_else(|| {
        Error::Config(
            "missing credentials: set the OPENAI_API_KEY environment variable or pass an api_key"
                .into(),
        )
    })?;
    let mut config = ClientConfig {
        api_key: Some(Secret::new(key)),
        organization: get(env, "OPENAI_ORG_ID"),
        project: get(env, "OPENAI_PROJECT_ID"),
        webhook_secret: get(env, "OPENAI_WEBHOOK_SECRET").map(Secret::new),
        ..Default::default()
    };
    if let Some(url) = get(env, "OPENAI_BASE_URL") {
        config.base_url = url;
    }
    Ok(config)
}

/// Azure OpenAI: AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN,
/// AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION (required, as in openai-python).
pub fn azure_config(
    env: &dyn Fn(&str) -> Option<String>,
    deployment: Option<&str>,
) -> Result<ClientConfig, Error> {
    let auth = match (get(env, "AZURE_OPENAI_API_KEY"), get(env, "AZURE_OPENAI_AD_TOKEN")) {
        (Some(k), _) => AzureAuth::ApiKey(Secret::new(k)),
        (None, Some(t)) => AzureAuth::BearerToken(Secret::new(t)),
        (None, None) => {
            return Err(Error::Config(
                "missing credentials: set AZURE_OPENAI_API_KEY or AZURE_OPENAI_AD_TOKEN (or pass a token provider)".into(),
            ))
        }
    };
    let endpoint = get(env, "AZURE_OPENAI_ENDPOINT")
        .ok_or_else(|| Error::Config("missing endpoint: set AZURE_OPENAI_ENDPOINT".into()))?;
    let api_version = get(env, "OPENAI_API_VERSION")
        .ok_or_else(|| Error::Config("missing api version: set OPENAI_API_VERSION".into()))?;
    Ok(ClientConfig {
        provider: Provider::Azure {
            endpoint: Some(endpoint),
            api_version: Some(api_version),
            deployment: deployment.map(str::to_owned),
            auth: Some(auth),
        },
        ..Default::default()
    })
}

/// `$CODEX_HOME/config.toml`, else `~/.codex/config.toml`.
pub fn codex_config_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(home) = get(env, "CODEX_HOME") {
        return Some(PathBuf::from(home).join("config.toml"));
    }
    get(env, "HOME").map(|h| PathBuf::from(h).join(".codex").join("config.toml"))
}

/// Reads the Codex config and resolves `profile` (or its default profile).
pub fn load_profile(
    profile: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ResolvedProfile, Error> {
    let path = codex_config_path(env)
        .ok_or_else(|| Error::Config("set CODEX_HOME or HOME to find config.toml".into()))?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
    CodexConfig::parse(&text)?.resolve(profile, env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_env_and_the_missing_key_error() {
        let env = |k: &str| match k {
            "OPENAI_API_KEY" => Some("sk-env".to_owned()),
            "OPENAI_BASE_URL" => Some("http://127.0.0.1:1/v1".to_owned()),
            "OPENAI_ORG_ID" => Some("org".to_owned()),
            _ => None,
        };
        let c = openai_config(&env).unwrap();
        assert_eq!(c.base_url, "http://127.0.0.1:1/v1");
        assert_eq!(c.organization.as_deref(), Some("org"));
        let err = openai_config(&|_| None).unwrap_err().to_string();
        assert!(err.contains("OPENAI_API_KEY"), "{err}");
    }

    #[test]
    fn azure_env() {
        let env = |k: &str| match k {
            "AZURE_OPENAI_AD_TOKEN" => Some("tok".to_owned()),
            "AZURE_OPENAI_ENDPOINT" => Some("https://x.openai.azure.com".to_owned()),
            "OPENAI_API_VERSION" => Some("2025-04-01-preview".to_owned()),
            _ => None,
        };
        let c = azure_config(&env, None).unwrap();
        assert!(matches!(
            c.provider,
            Provider::Azure {
                auth: Some(AzureAuth::BearerToken(_)),
                ..
            }
        ));
        let err = azure_config(
            &|k: &str| {
                if k == "AZURE_OPENAI_API_KEY" {
                    Some("k".into())
                } else {
                    None
                }
            },
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("AZURE_OPENAI_ENDPOINT"), "{err}");
    }
}
