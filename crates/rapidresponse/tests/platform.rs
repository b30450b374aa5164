//! The rest of the Responses platform over real HTTP against
//! `rapidresponse-mock`: conversations (a three-turn conversation through
//! `conversation`, its items paged back in order, item and conversation
//! deletion) and webhook verification (signed, tampered, wrong secret,
//! expired, future, missing headers).

use base64::Engine;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use rapidresponse::*;
use rapidresponse_mock::MockServer;
use serde_json::json;
use sha2::Sha256;
use std::time::{SystemTime, UNIX_EPOCH};

mod common;

fn client(server: &MockServer) -> Client<NativeTransport> {
    Client::new(common::config(server, "sk-platform")).unwrap()
}

/// A message item's text (its first content part's).
fn text_of(item: &Item) -> String {
    let v = serde_json::to_value(item).unwrap();
    v["content"][0]["text"].as_str().unwrap_or("").to_owned()
}

#[tokio::test]
async fn a_three_turn_conversation_keeps_every_item_in_order() {
    let server = MockServer::start();
    let c = client(&server);
    let conversations = c.conversations();
    let created = conversations
        .create(json!({"metadata": {"job": "review"}}))
        .await
        .unwrap();
    let id = created.id.as_deref().unwrap().to_owned();
    assert!(id.starts_with("conv_"), "{id}");
    assert_eq!(created.object.as_deref(), Some("conversation"));
    assert_eq!(created.metadata.get().unwrap()["job"], "review");

    let mut answers = Vec::new();
    for question in ["Name a prime", "And another", "Which is larger"] {
        let mut request = CreateResponse::new("gpt-4.1", question);
        request.conversation = json!(id).into();
        let r = c.responses().create(request).await.unwrap();
        assert_eq!(r.conversation.get(), Some(&json!({"id": id})));
        answers.push(r.output_text());
    }
    // The conversation is the context: later turns know they are later.
    assert_eq!(answers[0], "Mock answer to: Name a prime.");
    assert_eq!(answers[2], "Mock answer to: Which is larger. (turn 3)");

    // Oldest first, two per page: question, answer, question, ...
    let asc = vec![
        ("order".to_owned(), QueryValue::from("asc")),
        ("limit".to_owned(), QueryValue::from(2i64)),
    ];
    let items: Vec<Item> = conversations
        .items()
        .list_all(&id, asc, CallOptions::new())
        .map(|r| r.unwrap())
        .collect()
        .await;
    let texts: Vec<String> = items.iter().map(text_of).collect();
    assert_eq!(
        texts,
        [
            "Name a prime",
            answers[0].as_str(),
            "And another",
            answers[1].as_str(),
            "Which is larger",
            answers[2].as_str(),
        ]
    );
    let pages = server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/items"))
        .count();
    assert_eq!(pages, 3, "six items, two per page");

    // Newest first by default.
    let newest = conversations.items().list(&id).await.unwrap();
    let first = &newest.data.get().unwrap()[0];
    assert_eq!(text_of(first), answers[2]);

    // One item read, deleted, and gone.
    let item_id = items[1].id().unwrap();
    let item = conversations.items().retrieve(&id, &item_id).await.unwrap();
    assert_eq!(text_of(&item), answers[0]);
    let after = conversations.items().delete(&id, &item_id).await.unwrap();
    assert_eq!(after.id.as_deref(), Some(id.as_str()));
    let gone = conversations.items().retrieve(&id, &item_id).await;
    assert!(
        matches!(&gone, Err(Error::Api(e)) if e.status == 404),
        "{gone:?}"
    );
    let left = conversations.items().list(&id).await.unwrap();
    assert_eq!(left.data.get().unwrap().len(), 5);

    // Items added by hand join the conversation.
    let added = conversations
        .items()
        .create(
            &id,
            vec![json!({"role": "user", "content": "Added by hand"})],
        )
        .await
        .unwrap();
    assert_eq!(added.data.get().unwrap().len(), 1);
    assert_eq!(text_of(&added.data.get().unwrap()[0]), "Added by hand");

    let updated = conversations
        .update(&id, json!({"job": "done"}))
        .await
        .unwrap();
    assert_eq!(updated.metadata.get().unwrap()["job"], "done");
    let deleted = conversations.delete(&id).await.unwrap();
    assert_eq!(deleted.deleted.copied(), Some(true));
    assert_eq!(deleted.object.as_deref(), Some("conversation.deleted"));
    let missing = conversations.retrieve(&id).await;
    assert!(
        matches!(&missing, Err(Error::Api(e)) if e.kind == ErrorKind::NotFound),
        "{missing:?}"
    );
    // A response cannot join a deleted conversation, nor name a
    // conversation and a previous response at once.
    let mut request = CreateResponse::new("gpt-4.1", "Still there?");
    request.conversation = json!({"id": id}).into();
    let orphan = c.responses().create(request.clone()).await;
    assert!(
        matches!(&orphan, Err(Error::Api(e)) if e.status == 404),
        "{orphan:?}"
    );
    request.previous_response_id = "resp_1".into();
    let both = c.responses().create(request).await;
    assert!(
        matches!(&both, Err(Error::Api(e)) if e.status == 400),
        "{both:?}"
    );
}

const SECRET: &str = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(secret: &str, id: &str, timestamp: &str, payload: &str) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{payload}").as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("v1,{sig}")
}

#[test]
fn webhooks_are_verified_with_the_configured_secret_and_the_clock() {
    let server = MockServer::start();
    let mut config = common::config(&server, "sk-platform");
    config.webhook_secret = Some(SECRET.into());
    let c = Client::new(config).unwrap();
    let payload = r#"{"id":"evt_1","object":"event","created_at":1750000000,"type":"response.completed","data":{"id":"resp_1"}}"#;
    let ts = now().to_string();
    let signature = sign(SECRET, "wh_1", &ts, payload);
    fn pairs(h: &[(String, String)]) -> Vec<(&str, &str)> {
        h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
    let headers = |ts: &str, sig: &str| {
        vec![
            ("webhook-id".to_owned(), "wh_1".to_owned()),
            ("webhook-timestamp".to_owned(), ts.to_owned()),
            ("webhook-signature".to_owned(), sig.to_owned()),
        ]
    };

    let good = headers(&ts, &signature);
    let event = c.webhooks().unwrap(payload, pairs(&good), None).unwrap();
    assert_eq!(event.kind.as_deref(), Some("response.completed"));
    assert_eq!(event.data.get().unwrap()["id"], "resp_1");

    let unknown = r#"{"id":"evt_2","type":"something.new","data":{"x":1}}"#;
    let h = headers(&ts, &sign(SECRET, "wh_1", &ts, unknown));
    let kept = c.webhooks().unwrap(unknown, pairs(&h), None).unwrap();
    assert_eq!(kept.kind.as_deref(), Some("something.new"));

    let verdict = |payload: &str, h: &[(String, String)], secret: Option<&str>| match c
        .webhooks()
        .unwrap(payload, pairs(h), secret)
    {
        Err(Error::Webhook(e)) => Some(e),
        Err(other) => panic!("{other:?}"),
        Ok(_) => None,
    };
    use rapidresponse::core::WebhookError as W;
    let tampered = payload.replace("resp_1", "resp_2");
    assert_eq!(verdict(&tampered, &good, None), Some(W::Mismatch));
    let other_secret = "whsec_".to_owned() + &"A".repeat(43) + "=";
    assert_eq!(
        verdict(payload, &good, Some(&other_secret)),
        Some(W::Mismatch)
    );
    let old = (now() - 301).to_string();
    let h = headers(&old, &sign(SECRET, "wh_1", &old, payload));
    assert_eq!(verdict(payload, &h, None), Some(W::TooOld));
    let future = (now() + 301).to_string();
    let h = headers(&future, &sign(SECRET, "wh_1", &future, payload));
    assert_eq!(verdict(payload, &h, None), Some(W::TooNew));
    let without_id: Vec<(String, String)> = good[1..].to_vec();
    assert_eq!(
        verdict(payload, &without_id, None),
        Some(W::MissingHeader("webhook-id"))
    );
    let e = c
        .webhooks()
        .unwrap(&tampered, pairs(&good), None)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "The given webhook signature does not match the expected signature"
    );
    // The secret is never shown.
    let shown = format!("{:?}", c.config());
    assert!(!shown.contains("RdvaYFYU"), "{shown}");

    let no_secret = client(&server);
    let e = no_secret
        .webhooks()
        .verify_signature(payload, pairs(&good), None, 300)
        .unwrap_err();
    assert!(matches!(e, Error::Webhook(W::MissingSecret)));
}

#[tokio::test]
async fn models_are_listed_read_and_a_fine_tuned_one_deleted() {
    let server = MockServer::start();
    let c = client(&server);
    let list = c.models().list().await.unwrap();
    assert_eq!(list.object.as_deref(), Some("list"));
    let ids: Vec<String> = list
        .data
        .get()
        .unwrap()
        .iter()
        .map(|m| m.id.as_deref().unwrap().to_owned())
        .collect();
    assert!(ids.iter().any(|id| id == "gpt-4.1"), "{ids:?}");
    let model = c.models().retrieve("gpt-4.1").await.unwrap();
    assert_eq!(model.object.as_deref(), Some("model"));
    assert_eq!(model.owned_by.as_deref(), Some("system"));
    assert!(model.created.get().is_some_and(|t| *t > 1.6e9));

    let missing = c.models().retrieve("no-such-model").await.unwrap_err();
    match &missing {
        Error::Api(e) => {
            assert_eq!(e.status, 404);
            assert_eq!(e.code.as_deref(), Some("model_not_found"));
        }
        other => panic!("{other:?}"),
    }
    let base = c.models().delete("gpt-4.1").await.unwrap_err();
    assert!(
        matches!(&base, Error::Api(e) if e.status == 403),
        "{base:?}"
    );
    let tuned = ids.iter().find(|id| id.starts_with("ft:")).unwrap();
    let deleted = c.models().delete(tuned).await.unwrap();
    assert_eq!(deleted.deleted.get(), Some(&true));
    assert_eq!(deleted.id.as_deref(), Some(tuned.as_str()));
    let after = c.models().list().await.unwrap();
    assert_eq!(after.data.get().unwrap().len(), ids.len() - 1);

    let paths: Vec<(String, String)> = server
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert!(paths.contains(&("GET".into(), "/v1/models/gpt-4.1".into())));
    let escaped = format!("/v1/models/{}", tuned.replace(':', "%3A"));
    assert!(
        paths.contains(&("DELETE".into(), format!("/v1/models/{tuned}")))
            || paths.contains(&("DELETE".into(), escaped)),
        "{paths:?}"
    );
}
