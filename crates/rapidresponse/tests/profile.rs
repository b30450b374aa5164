//! Codex config.toml profiles end to end: the file under CODEX_HOME, the key
//! from the provider's env_key, its headers and query on the wire.

use rapidresponse::env::load_profile;
use rapidresponse::*;
use rapidresponse_mock::MockServer;

#[tokio::test]
async fn a_profile_from_codex_home_reaches_its_provider() {
    let server = MockServer::start();
    let home = std::env::temp_dir().join(format!("rapidresponse-profile-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("config.toml"),
        format!(
            r#"
profile = "default-one"

[model_providers.local-router]
name = "Local router"
base_url = "{url}"
env_key = "ROUTER_KEY"
http_headers = {{ "X-Title" = "rapidresponse-tests" }}
query_params = {{ "team" = "ci" }}

[profiles.router-gpt]
model = "openai/gpt-5"
model_provider = "local-router"

[profiles.default-one]
model = "o3"
"#,
            url = server.url()
        ),
    )
    .unwrap();
    let home_str = home.to_string_lossy().into_owned();
    let env = move |k: &str| match k {
        "CODEX_HOME" => Some(home_str.clone()),
        "ROUTER_KEY" => Some("sk-router-key".to_owned()),
        "OPENAI_API_KEY" => Some("sk-openai".to_owned()),
        _ => None,
    };
    let profile = load_profile(Some("router-gpt"), &env).unwrap();
    assert_eq!(profile.model.as_deref(), Some("openai/gpt-5"));
    let client = Client::new(profile.responses_config().unwrap().clone()).unwrap();
    let r = client
        .responses()
        .create(CreateResponse::new(profile.model.clone().unwrap(), "hi"))
        .await
        .unwrap();
    assert!(!r.output_text().is_empty());
    let sent = &server.requests()[0];
    assert_eq!(
        sent.headers["authorization"],
        rapidresponse_mock::mask_key("Bearer sk-router-key")
    );
    assert_eq!(sent.headers["x-title"], "rapidresponse-tests");
    assert_eq!(sent.query, "team=ci");

    // The file's default profile, and a clear error naming a missing key.
    assert_eq!(
        load_profile(None, &env).unwrap().model.as_deref(),
        Some("o3")
    );
    let err = load_profile(Some("router-gpt"), &|k| {
        if k == "CODEX_HOME" {
            Some(home.to_string_lossy().into_owned())
        } else {
            None
        }
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("ROUTER_KEY"), "{err}");
    std::fs::remove_dir_all(&home).unwrap();
}
