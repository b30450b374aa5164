//! Provider profiles in the Codex CLI's `config.toml` format, parsed from a
//! string: `[model_providers.<id>]`, `[profiles.<name>]` and a top-level
//! `profile`. Values from the environment come through a lookup function;
//! this module reads no files and no environment itself.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::config::{AzureAuth, ClientConfig, Provider, Secret};
use crate::error::Error;
use crate::http::Headers;

/// Which API a provider speaks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WireApi {
    #[default]
    Responses,
    Chat,
}

/// `[model_providers.<id>]`. Its Debug shows `http_headers` by name only.
#[derive(Clone, Default, PartialEq, Deserialize)]
pub struct ProviderInfo {
    pub name: Option<String>,
    pub base_url: Option<String>,
    /// The environment variable holding the API key.
    pub env_key: Option<String>,
    #[serde(default)]
    pub wire_api: WireApi,
    #[serde(default)]
    pub query_params: BTreeMap<String, String>,
    #[serde(default)]
    pub http_headers: BTreeMap<String, String>,
    /// Header name → environment variable; skipped when unset or empty.
    #[serde(default)]
    pub env_http_headers: BTreeMap<String, String>,
    pub request_max_retries: Option<u32>,
    pub stream_idle_timeout_ms: Option<u64>,
}

impl std::fmt::Debug for ProviderInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let header_names: Vec<&String> = self.http_headers.keys().collect();
        f.debug_struct("ProviderInfo")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("env_key", &self.env_key)
            .field("wire_api", &self.wire_api)
            .field("query_params", &self.query_params)
            .field("http_headers (names)", &header_names)
            .field("env_http_headers", &self.env_http_headers)
            .field("request_max_retries", &self.request_max_retries)
            .field("stream_idle_timeout_ms", &self.stream_idle_timeout_ms)
            .finish()
    }
}

/// `[profiles.<name>]` (keys this client has no use for are ignored).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ProfileInfo {
    pub model: Option<String>,
    pub model_provider: Option<String>,
    pub model_reasoning_effort: Option<String>,
}

/// A whole `config.toml`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct CodexConfig {
    pub model: Option<String>,
    pub model_provider: Option<String>,
    pub profile: Option<String>,
    #[serde(default)]
    pub model_providers: BTreeMap<String, ProviderInfo>,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileInfo>,
}

/// A profile resolved into a client configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedProfile {
    pub provider_id: String,
    pub config: ClientConfig,
    pub model: Option<String>,
    pub reasoning_effort: Option<String>,
    pub wire_api: WireApi,
}

impl ResolvedProfile {
    /// What a shell builds its client from, as JSON: `provider_id`,
    /// `base_url`, `api_key`, `headers` and `query` (pairs), `model`,
    /// `reasoning_effort`, `wire_api`.
    pub fn to_json(&self) -> serde_json::Value {
        let c = &self.config;
        let headers: Vec<[&str; 2]> = c.default_headers.iter().map(|(k, v)| [k, v]).collect();
        let query: Vec<[&str; 2]> = c
            .default_query
            .iter()
            .filter_map(|(k, v)| match v {
                crate::QueryValue::Str(s) => Some([k.as_str(), s.as_str()]),
                _ => None,
            })
            .collect();
        serde_json::json!({
            "provider_id": self.provider_id,
            "base_url": c.base_url,
            "api_key": c.api_key.as_ref().map(|k| k.expose()),
            "headers": headers,
            "query": query,
            "model": self.model,
            "reasoning_effort": self.reasoning_effort,
            "wire_api": match self.wire_api {
                WireApi::Chat => "chat",
                _ => "responses",
            },
        })
    }

    /// The configuration, or a clear error when the provider speaks only
    /// Chat Completions.
    pub fn responses_config(&self) -> Result<&ClientConfig, Error> {
        match self.wire_api {
            WireApi::Responses => Ok(&self.config),
            WireApi::Chat => Err(Error::Config(format!(
                "provider {:?} has wire_api = \"chat\": it speaks Chat Completions, not the Responses API \
                 (use chat().completions(), or a provider with wire_api = \"responses\")",
                self.provider_id
            ))),
        }
    }
}

impl CodexConfig {
    /// Parses `config.toml` text.
    pub fn parse(text: &str) -> Result<Self, Error> {
        toml::from_str(text).map_err(|e| Error::Config(format!("invalid config.toml: {e}")))
    }

    /// The built-in providers, overridable by the file's own entries.
    pub fn built_in_provider(id: &str) -> Option<ProviderInfo> {
        let p = |name: &str, base_url: Option<&str>, env_key: Option<&str>| ProviderInfo {
            name: Some(name.to_owned()),
            base_url: base_url.map(str::to_owned),
            env_key: env_key.map(str::to_owned),
            ..Default::default()
        };
        Some(match id {
            "openai" => p("OpenAI", None, Some("OPENAI_API_KEY")),
            "azure" => p("Azure OpenAI", None, Some("AZURE_OPENAI_API_KEY")),
            "openrouter" => p(
                "OpenRouter",
                Some("https://openrouter.ai/api/v1"),
                Some("OPENROUTER_API_KEY"),
            ),
            "ollama" => p("Ollama", Some("http://localhost:11434/v1"), None),
            "lmstudio" => p("LM Studio", Some("http://localhost:1234/v1"), None),
            _ => return None,
        })
    }

    /// Resolves `profile` (or the file's `profile`, or none) into a client
    /// configuration. `env` looks up environment variables.
    pub fn resolve(
        &self,
        profile: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ResolvedProfile, Error> {
        let name = profile.or(self.profile.as_deref());
        let info = match name {
            Some(n) => Some(self.profiles.get(n).ok_or_else(|| {
                let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                Error::Config(format!(
                    "no profile {n:?} in config.toml (profiles: {})",
                    known.join(", ")
                ))
            })?),
            None => None,
        };
        let provider_id = info
            .and_then(|p| p.model_provider.clone())
            .or_else(|| self.model_provider.clone())
            .unwrap_or_else(|| "openai".to_owned());
        let provider = self
            .model_providers
            .get(&provider_id)
            .cloned()
            .or_else(|| Self::built_in_provider(&provider_id))
            .ok_or_else(|| {
                Error::Config(format!(
                    "no model provider {provider_id:?} in config.toml or among the built-in ones"
                ))
            })?;
        let key = match &provider.env_key {
            Some(var) => Some(env(var).filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::Config(format!(
                    "provider {provider_id:?} needs an API key: set the environment variable {var}"
                ))
            })?),
            None => None,
        };
        let mut config = ClientConfig::default();
        let env_base = || env("OPENAI_BASE_URL").filter(|v| !v.trim().is_empty());
        match (provider_id.as_str(), &provider.base_url) {
            (_, Some(url)) => config.base_url = url.clone(),
            ("openai", None) => {
                if let Some(url) = env_base() {
                    config.base_url = url;
                }
            }
            ("azure", None) => {
                let endpoint = env("AZURE_OPENAI_ENDPOINT").ok_or_else(|| {
                    Error::Config(
                        "the azure provider needs a base_url or AZURE_OPENAI_ENDPOINT".into(),
                    )
                })?;
                config.base_url = format!("{}/openai/v1", endpoint.trim_end_matches('/'));
            }
            (id, None) => return Err(Error::Config(format!("provider {id:?} has no base_url"))),
        }
        let is_azure = provider_id == "azure" || config.base_url.contains(".openai.azure.com");
        if is_azure {
            config.provider = Provider::Azure {
                endpoint: None,
                api_version: provider.query_params.get("api-version").cloned(),
                deployment: None,
                auth: key.map(|k| AzureAuth::ApiKey(Secret::new(k))),
            };
        } else {
            config.api_key = key.map(Secret::new);
        }
        config.default_query = provider
            .query_params
            .iter()
            .filter(|(k, _)| !(is_azure && k.as_str() == "api-version"))
            .map(|(k, v)| (k.clone(), v.as_str().into()))
            .collect();
        let mut headers = Headers::new();
        for (k, v) in &provider.http_headers {
            headers.set(k, v);
        }
        for (k, var) in &provider.env_http_headers {
            if let Some(v) = env(var).filter(|v| !v.is_empty()) {
                headers.set(k, v);
            }
        }
        config.default_headers = headers;
        if let Some(n) = provider.request_max_retries {
            config.retry.max_retries = n;
        }
        if let Some(ms) = provider.stream_idle_timeout_ms {
            config.timeouts.read = std::time::Duration::from_millis(ms);
        }
        Ok(ResolvedProfile {
            provider_id,
            config,
            model: info
                .and_then(|p| p.model.clone())
                .or_else(|| self.model.clone()),
            reasoning_effort: info.and_then(|p| p.model_reasoning_effort.clone()),
            wire_api: provider.wire_api,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
model = "gpt-5-codex"
profile = "work"

[model_providers.openrouter-custom]
name = "OpenRouter"
base_url = "https://openrouter.ai/api/v1"
env_key = "OPENROUTER_API_KEY"
http_headers = { "HTTP-Referer" = "https://example.com" }
env_http_headers = { "X-Team" = "TEAM_ID", "X-Unset" = "NOT_SET" }
query_params = { "a" = "1" }

[model_providers.legacy]
base_url = "http://localhost:9000/v1"
wire_api = "chat"

[model_providers.az]
base_url = "https://res.openai.azure.com/openai"
env_key = "AZURE_OPENAI_API_KEY"
query_params = { api-version = "2025-04-01-preview" }

[profiles.work]
model = "o3"
model_provider = "openai"

[profiles.openrouter-gpt]
model = "openai/gpt-5"
model_provider = "openrouter-custom"

[profiles.old]
model_provider = "legacy"

[profiles.azure]
model_provider = "az"
"#;

    fn env(k: &str) -> Option<String> {
        match k {
            "OPENAI_API_KEY" => Some("sk-openai".into()),
            "OPENROUTER_API_KEY" => Some("sk-or".into()),
            "AZURE_OPENAI_API_KEY" => Some("az-key".into()),
            "TEAM_ID" => Some("team-7".into()),
            _ => None,
        }
    }

    #[test]
    fn profiles_resolve_to_configs() {
        let c = CodexConfig::parse(CONFIG).unwrap();
        let work = c.resolve(None, &env).unwrap();
        assert_eq!(work.model.as_deref(), Some("o3"));
        assert_eq!(work.config.base_url, crate::config::DEFAULT_BASE_URL);
        assert_eq!(work.config.api_key.as_ref().unwrap().expose(), "sk-openai");

        let or = c.resolve(Some("openrouter-gpt"), &env).unwrap();
        assert_eq!(or.model.as_deref(), Some("openai/gpt-5"));
        assert_eq!(or.config.base_url, "https://openrouter.ai/api/v1");
        assert_eq!(
            or.config.default_headers.get("http-referer"),
            Some("https://example.com")
        );
        assert_eq!(or.config.default_headers.get("x-team"), Some("team-7"));
        assert_eq!(or.config.default_headers.get("x-unset"), None);
        // Debug never shows a profile header's value (or the key).
        let shown = format!("{or:?} {:?}", c.model_providers);
        assert!(
            shown.contains("x-team") || shown.contains("X-Team"),
            "{shown}"
        );
        for value in ["team-7", "https://example.com", "sk-or"] {
            assert!(!shown.contains(value), "{value} in {shown}");
        }
        assert_eq!(or.config.default_query, vec![("a".to_owned(), "1".into())]);
        assert!(or.responses_config().is_ok());

        let az = c.resolve(Some("azure"), &env).unwrap();
        let call = crate::endpoint::Call::new(crate::endpoint::Operation::ResponsesCreate);
        let url = az
            .config
            .prepare(&call, &Default::default())
            .unwrap()
            .request
            .url;
        assert_eq!(
            url,
            "https://res.openai.azure.com/openai/responses?api-version=2025-04-01-preview"
        );
    }

    #[test]
    fn chat_providers_and_missing_keys_are_clear_errors() {
        let c = CodexConfig::parse(CONFIG).unwrap();
        let old = c.resolve(Some("old"), &env).unwrap();
        assert_eq!(old.wire_api, WireApi::Chat);
        let err = old.responses_config().unwrap_err().to_string();
        assert!(err.contains("wire_api = \"chat\""), "{err}");
        let err = c
            .resolve(Some("openrouter-gpt"), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("OPENROUTER_API_KEY"), "{err}");
        let err = c.resolve(Some("nope"), &env).unwrap_err().to_string();
        assert!(err.contains("work"), "{err}");
        assert!(CodexConfig::parse("profile = [").is_err());
    }

    #[test]
    fn built_in_providers() {
        let c = CodexConfig::parse("model_provider = \"ollama\"").unwrap();
        let r = c.resolve(None, &|_| None).unwrap();
        assert_eq!(r.config.base_url, "http://localhost:11434/v1");
        assert!(r.config.api_key.is_none());
        let c = CodexConfig::parse("model_provider = \"openrouter\"").unwrap();
        assert_eq!(
            c.resolve(None, &env).unwrap().config.base_url,
            "https://openrouter.ai/api/v1"
        );
        let c = CodexConfig::parse("model_provider = \"lmstudio\"").unwrap();
        assert_eq!(
            c.resolve(None, &env).unwrap().config.base_url,
            "http://localhost:1234/v1"
        );
    }
}
