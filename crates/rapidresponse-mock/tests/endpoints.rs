//! The mock's endpoints over real HTTP: Responses (JSON and stream), store,
//! input items, chains, function calls, reasoning, compact, input tokens,
//! Chat and legacy Completions, validation, the API key, recording and CORS.

mod common;

use common::*;
use rapidresponse_core::{Response, Terminal};
use rapidresponse_mock::{MockOptions, MockServer};
use serde_json::{json, Value};

#[tokio::test]
async fn create_answers_with_a_completed_response_usage_and_api_headers() {
    bounded(async {
        let server = MockServer::start();
        let response = post(
            &server,
            "/responses",
            &json!({"model": "gpt-4o-mini", "input": "Hello there", "instructions": "Be brief"}),
        )
        .await;
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/json");
        assert!(headers["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_"));
        assert_eq!(headers["x-ratelimit-limit-requests"], "10000");
        assert_eq!(headers["x-ratelimit-remaining-requests"], "9999");
        assert_eq!(headers["x-ratelimit-reset-requests"], "6ms");
        assert_eq!(headers["x-ratelimit-limit-tokens"], "1000000");
        assert_eq!(headers["x-ratelimit-remaining-tokens"], "999000");
        assert_eq!(headers["x-ratelimit-reset-tokens"], "60ms");
        assert_eq!(headers["access-control-allow-origin"], "*");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["object"], "response");
        assert_eq!(body["status"], "completed");
        assert_eq!(body["model"], "gpt-4o-mini");
        assert_eq!(body["instructions"], "Be brief");
        assert!(body["id"].as_str().unwrap().starts_with("resp_"));
        let item = &body["output"][0];
        assert_eq!(item["type"], "message");
        assert_eq!(item["role"], "assistant");
        assert!(item["id"].as_str().unwrap().starts_with("msg_"));
        assert_eq!(
            item["content"][0]["text"],
            "Mock answer to: Hello there. (following: Be brief)"
        );
        let usage = &body["usage"];
        for key in ["input_tokens", "output_tokens", "total_tokens"] {
            assert!(usage[key].as_u64().unwrap() > 0, "{key}");
        }
        assert_eq!(usage["input_tokens_details"]["cached_tokens"], 0);
        assert_eq!(usage["output_tokens_details"]["reasoning_tokens"], 0);
        assert_eq!(
            usage["total_tokens"].as_u64(),
            Some(
                usage["input_tokens"].as_u64().unwrap() + usage["output_tokens"].as_u64().unwrap()
            )
        );
        // The core reads it as a Response.
        let typed: Response = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(
            typed.output_text(),
            "Mock answer to: Hello there. (following: Be brief)"
        );

        // The same request gives the same text; the ids differ.
        let (_, again) = post_json(
            &server,
            "/responses",
            &json!({"model": "gpt-4o-mini", "input": "Hello there", "instructions": "Be brief"}),
        )
        .await;
        assert_eq!(again["output"][0]["content"], body["output"][0]["content"]);
        assert_ne!(again["id"], body["id"]);

        let (_, fizz) = post_json(
            &server,
            "/responses",
            &json!({"model": "gpt-4o-mini", "input": "Write FizzBuzz in Python"}),
        )
        .await;
        let text = fizz["output"][0]["content"][0]["text"].as_str().unwrap();
        assert!(
            text.contains("```python") && text.contains("FizzBuzz"),
            "{text}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_text_stream_has_the_api_framing_order_and_sequence_numbers() {
    bounded(async {
        let server = MockServer::start();
        let request = json!({"model": "gpt-4o-mini", "input": "Tell me a story", "stream": true});
        let response = post(&server, "/responses", &request).await;
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let (bytes, error) = read_body(response).await;
        assert!(error.is_none());

        // Byte-exact framing: `event: <type>\ndata: <compact json>\n\n`.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let blocks: Vec<&str> = text.strip_suffix("\n\n").unwrap().split("\n\n").collect();
        for (i, block) in blocks.iter().enumerate() {
            let (event_line, data_line) = block.split_once('\n').unwrap();
            let event_type = event_line.strip_prefix("event: ").unwrap();
            let data_text = data_line.strip_prefix("data: ").unwrap();
            let data: Value = serde_json::from_str(data_text).unwrap();
            assert_eq!(data["type"], event_type);
            assert_eq!(data["sequence_number"], i, "numbered from 0 in steps of 1");
            assert!(
                data_line.starts_with("data: {\"type\":"),
                "type comes first"
            );
            // Compact: as long as serde's compact form (only the key order may differ).
            assert_eq!(data_text.len(), data.to_string().len(), "{data_text}");
        }

        let events = events(&bytes);
        let types = types(&events);
        let deltas = types
            .iter()
            .filter(|t| *t == "response.output_text.delta")
            .count();
        let mut expected = vec![
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
        ];
        expected.extend(std::iter::repeat_n("response.output_text.delta", deltas));
        expected.extend([
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed",
        ]);
        assert_eq!(types, expected);
        // Word-sized deltas: "Mock", " answer", " to:", " Tell", ...
        assert_eq!(
            deltas,
            "Mock answer to: Tell me a story.".split(' ').count()
        );
        let joined: String = events
            .iter()
            .filter(|e| e["type"] == "response.output_text.delta")
            .map(|e| e["delta"].as_str().unwrap())
            .collect();
        let done = events
            .iter()
            .find(|e| e["type"] == "response.output_text.done")
            .unwrap();
        assert_eq!(done["text"], joined.as_str());
        let completed = &events.last().unwrap()["response"];
        assert_eq!(completed["status"], "completed");
        assert_eq!(
            completed["output"][0]["content"][0]["text"],
            joined.as_str()
        );
        assert!(completed["usage"]["total_tokens"].as_u64().unwrap() > 0);
        assert_eq!(events[0]["response"]["status"], "in_progress");
        assert_eq!(events[0]["response"]["output"], json!([]));

        // The core's accumulator agrees.
        let accumulator = accumulate(&bytes);
        assert_eq!(accumulator.terminal(), Some(Terminal::Completed));
        assert_eq!(accumulator.text_so_far(), joined);
        assert_eq!(
            accumulator.last_sequence_number(),
            Some(events.len() as u64 - 1)
        );
    })
    .await;
}

#[tokio::test]
async fn stored_responses_can_be_retrieved_replayed_and_deleted() {
    bounded(async {
        let server = MockServer::start();
        let (_, created) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": "keep me"}),
        )
        .await;
        let id = created["id"].as_str().unwrap();
        let (status, fetched) = get_json(&server, &format!("/responses/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(fetched, created);

        // A stored response replays its events, whole or after N.
        let all = read_body(get(&server, &format!("/responses/{id}?stream=true")).await)
            .await
            .0;
        let all = events(&all);
        assert_eq!(all.last().unwrap()["response"]["id"], id);
        let rest = read_body(
            get(
                &server,
                &format!("/responses/{id}?stream=true&starting_after=3"),
            )
            .await,
        )
        .await
        .0;
        let rest = events(&rest);
        assert_eq!(rest[0]["sequence_number"], 4);
        assert_eq!(rest, all[4..]);

        let (status, deleted) = json_of(
            client()
                .delete(format!("{}/responses/{id}", server.url()))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            deleted,
            json!({"id": id, "object": "response", "deleted": true})
        );
        let (status, missing) = get_json(&server, &format!("/responses/{id}")).await;
        assert_eq!(status, 404);
        assert_eq!(
            assert_error(&missing)["message"],
            format!("Response with id '{id}' not found.")
        );
        let again = client()
            .delete(format!("{}/responses/{id}", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 404);

        // store: false keeps nothing.
        let (_, unstored) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": "x", "store": false}),
        )
        .await;
        assert_eq!(unstored["store"], false);
        let (status, _) = get_json(
            &server,
            &format!("/responses/{}", unstored["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(status, 404);
    })
    .await;
}

#[tokio::test]
async fn input_items_get_ids_and_page_by_cursor() {
    bounded(async {
        let server = MockServer::start();
        let input = json!([
            {"role": "developer", "content": "Be terse"},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "one"}]},
            {"role": "assistant", "content": "two"},
            {"role": "user", "content": "three"},
            {"type": "function_call_output", "call_id": "call_1", "output": "{\"ok\":true}"}
        ]);
        let (_, created) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": input}),
        )
        .await;
        let id = created["id"].as_str().unwrap();

        let (status, page) = get_json(&server, &format!("/responses/{id}/input_items")).await;
        assert_eq!(status, 200);
        assert_eq!(page["object"], "list");
        assert_eq!(page["has_more"], false);
        let data = page["data"].as_array().unwrap();
        assert_eq!(data.len(), 5);
        // Newest first by default.
        assert_eq!(data[0]["type"], "function_call_output");
        assert!(data[0]["id"].as_str().unwrap().starts_with("fco_"));
        assert_eq!(data[4]["role"], "developer");
        for item in &data[1..] {
            assert!(item["id"].as_str().unwrap().starts_with("msg_"), "{item}");
            assert_eq!(item["type"], "message");
        }
        // A string content became a part of the right type.
        assert_eq!(
            data[2]["content"],
            json!([{"type": "output_text", "text": "two"}])
        );
        assert_eq!(page["first_id"], data[0]["id"]);
        assert_eq!(page["last_id"], data[4]["id"]);

        // Pages of two, oldest first, following the cursor.
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        for expected_more in [true, true, false] {
            let cursor = after
                .as_ref()
                .map(|a| format!("&after={a}"))
                .unwrap_or_default();
            let (_, page) = get_json(
                &server,
                &format!("/responses/{id}/input_items?order=asc&limit=2{cursor}"),
            )
            .await;
            assert_eq!(page["has_more"], expected_more);
            for item in page["data"].as_array().unwrap() {
                seen.push(item["id"].clone());
            }
            after = page["last_id"].as_str().map(str::to_owned);
        }
        let mut oldest_first: Vec<Value> = data.iter().map(|i| i["id"].clone()).collect();
        oldest_first.reverse();
        assert_eq!(seen, oldest_first);

        for bad in ["limit=0", "limit=101", "order=sideways", "after=nope"] {
            let (status, body) =
                get_json(&server, &format!("/responses/{id}/input_items?{bad}")).await;
            assert_eq!(status, 400, "{bad}");
            assert_error(&body);
        }
        let (status, _) = get_json(&server, "/responses/resp_missing/input_items").await;
        assert_eq!(status, 404);

        // An item_reference to a stored item resolves to it.
        let reference = data[1]["id"].as_str().unwrap();
        let (status, second) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": [{"type": "item_reference", "id": reference}]}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            second["output"][0]["content"][0]["text"],
            "Mock answer to: three."
        );
        let (status, body) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": [{"type": "item_reference", "id": "msg_unknown"}]}),
        )
        .await;
        assert_eq!(status, 404);
        assert_error(&body);
    })
    .await;
}

#[tokio::test]
async fn previous_response_id_chains_count_turns_and_tokens() {
    bounded(async {
        let server = MockServer::start();
        let (_, first) = post_json(&server, "/responses", &json!({"model": "m", "input": "My name is Ada"})).await;
        let (_, second) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": "What is my name?", "previous_response_id": first["id"]}),
        )
        .await;
        assert_eq!(second["previous_response_id"], first["id"]);
        assert_eq!(
            second["output"][0]["content"][0]["text"],
            "Mock answer to: What is my name? (turn 2)"
        );
        assert!(
            second["usage"]["input_tokens"].as_u64() > first["usage"]["total_tokens"].as_u64(),
            "the earlier conversation counts as input"
        );
        // Input omitted: the conversation's last user message is answered.
        let (_, third) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "previous_response_id": second["id"]}),
        )
        .await;
        assert!(third["output"][0]["content"][0]["text"]
            .as_str()
            .unwrap()
            .ends_with("(turn 3)"));

        let (status, body) = post_json(
            &server,
            "/responses",
            &json!({"model": "m", "input": "x", "previous_response_id": "resp_nope"}),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(
            body,
            json!({"error": {"message": "Previous response with id 'resp_nope' not found.",
                "type": "invalid_request_error", "param": "previous_response_id",
                "code": "previous_response_not_found"}})
        );
    })
    .await;
}

fn weather_tool() -> Value {
    json!({"type": "function", "name": "get_weather", "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer"}, "detailed": {"type": "boolean"},
            "hours": {"type": "array", "items": {"type": "integer"}},
            "options": {"type": "object", "properties": {}, "required": []},
            "optional_note": {"type": "string"}},
        "required": ["city", "unit", "days", "detailed", "hours", "options"],
        "additionalProperties": false}, "strict": true})
}

#[tokio::test]
async fn a_function_tool_gets_called_with_arguments_that_fit_its_schema() {
    bounded(async {
        let server = MockServer::start();
        let request = json!({"model": "gpt-4o", "input": "Weather in Paris?", "tools": [weather_tool()]});
        let (_, body) = post_json(&server, "/responses", &request).await;
        let call = &body["output"][0];
        assert_eq!(call["type"], "function_call");
        assert_eq!(call["name"], "get_weather");
        assert_eq!(call["status"], "completed");
        assert!(call["id"].as_str().unwrap().starts_with("fc_"));
        assert!(call["call_id"].as_str().unwrap().starts_with("call_"));
        let arguments: Value = serde_json::from_str(call["arguments"].as_str().unwrap()).unwrap();
        assert_eq!(
            arguments,
            json!({"city": "Paris", "unit": "celsius", "days": 1, "detailed": true, "hours": [], "options": {}})
        );

        // Streamed: added, argument deltas, done, item done.
        let mut streamed = request.clone();
        streamed["stream"] = true.into();
        let bytes = stream_body(&server, "/responses", &streamed).await;
        let events = events(&bytes);
        let types = types(&events);
        let first_delta = types.iter().position(|t| t == "response.function_call_arguments.delta").unwrap();
        assert_eq!(types[first_delta - 1], "response.output_item.added");
        assert_eq!(events[first_delta - 1]["item"]["type"], "function_call");
        let done = types.iter().position(|t| t == "response.function_call_arguments.done").unwrap();
        assert!(types[first_delta..done].iter().all(|t| t == "response.function_call_arguments.delta"));
        assert_eq!(types[done + 1], "response.output_item.done");
        assert_eq!(types[done + 2], "response.completed");
        let joined: String = events[first_delta..done].iter().map(|e| e["delta"].as_str().unwrap()).collect();
        assert_eq!(events[done]["arguments"], joined.as_str());
        assert_eq!(events[done]["name"], "get_weather");

        // The tool's output comes back: a message that uses it.
        let (_, answer) = post_json(
            &server,
            "/responses",
            &json!({"model": "gpt-4o", "tools": [weather_tool()], "previous_response_id": body["id"],
                "input": [{"type": "function_call_output", "call_id": call["call_id"], "output": "22 C and sunny"}]}),
        )
        .await;
        assert_eq!(
            answer["output"][0]["content"][0]["text"],
            "The tool returned: 22 C and sunny."
        );
        // Stateless loop: the call item and its output sent back as input.
        let (_, stateless) = post_json(
            &server,
            "/responses",
            &json!({"model": "gpt-4o", "tools": [weather_tool()], "store": false, "input": [
                {"role": "user", "content": "Weather in Paris?"}, call.clone(),
                {"type": "function_call_output", "call_id": call["call_id"], "output": "{\"temp\":22}"}]}),
        )
        .await;
        assert_eq!(
            stateless["output"][0]["content"][0]["text"],
            "The tool returned: {\"temp\":22}."
        );

        // tool_choice none: no call; a forced function by name: that one.
        let (_, none) = post_json(
            &server,
            "/responses",
            &json!({"model": "gpt-4o", "input": "hi", "tools": [weather_tool()], "tool_choice": "none"}),
        )
        .await;
        assert_eq!(none["output"][0]["type"], "message");
        let other = json!({"type": "function", "name": "get_time", "parameters": {"type": "object",
            "properties": {"zone": {"type": "string"}}, "required": ["zone"]}});
        let (_, forced) = post_json(
            &server,
            "/responses",
            &json!({"model": "gpt-4o", "input": "hi", "tools": [weather_tool(), other],
                "tool_choice": {"type": "function", "name": "get_time"}}),
        )
        .await;
        assert_eq!(forced["output"][0]["name"], "get_time");
        assert_eq!(forced["output"][0]["arguments"], "{\"zone\":\"example\"}");
    })
    .await;
}

#[tokio::test]
async fn reasoning_models_reason_first_with_summary_and_encrypted_content_on_request() {
    bounded(async {
        let server = MockServer::start();
        let (_, plain) = post_json(&server, "/responses", &json!({"model": "o4-mini", "input": "Why?"})).await;
        let reasoning = &plain["output"][0];
        assert_eq!(reasoning["type"], "reasoning");
        assert!(reasoning["id"].as_str().unwrap().starts_with("rs_"));
        assert_eq!(reasoning["summary"], json!([]));
        assert!(reasoning.get("encrypted_content").is_none());
        assert_eq!(plain["output"][1]["type"], "message");
        assert!(plain["usage"]["output_tokens_details"]["reasoning_tokens"].as_u64().unwrap() > 0);

        // Any model with a reasoning object reasons too.
        let request = json!({"model": "gpt-4o-mini", "input": "Why?", "stream": true, "store": false,
            "reasoning": {"effort": "low", "summary": "auto"}, "include": ["reasoning.encrypted_content"]});
        let bytes = stream_body(&server, "/responses", &request).await;
        let events = events(&bytes);
        let types = types(&events);
        let summary_deltas = types.iter().filter(|t| *t == "response.reasoning_summary_text.delta").count();
        assert!(summary_deltas > 1);
        let mut expected = vec![
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.reasoning_summary_part.added",
        ];
        expected.extend(std::iter::repeat_n("response.reasoning_summary_text.delta", summary_deltas));
        expected.extend([
            "response.reasoning_summary_text.done",
            "response.reasoning_summary_part.done",
            "response.output_item.done",
            "response.output_item.added",
        ]);
        assert_eq!(types[..expected.len()], expected);
        let completed = &events.last().unwrap()["response"];
        assert_eq!(completed["reasoning"], json!({"effort": "low", "summary": "auto"}));
        let item = &completed["output"][0];
        assert_eq!(item["summary"].as_array().unwrap().len(), 1);
        assert_eq!(item["summary"][0]["type"], "summary_text");
        let encrypted = item["encrypted_content"].as_str().unwrap();
        assert!(encrypted.starts_with("gAAAAA") && encrypted.len() > 64);
        assert!(encrypted[6..].bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)));

        // The reasoning item goes back as input of a stateless turn.
        let (status, next) = post_json(
            &server,
            "/responses",
            &json!({"model": "o4-mini", "store": false, "include": ["reasoning.encrypted_content"],
                "input": [{"role": "user", "content": "Why?"}, item.clone(), completed["output"][1].clone(),
                    {"role": "user", "content": "And then?"}]}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(next["output"][1]["content"][0]["text"], "Mock answer to: And then?");
    })
    .await;
}

#[tokio::test]
async fn a_prompt_cache_key_seen_before_reports_cached_tokens() {
    bounded(async {
        let server = MockServer::start();
        let request =
            json!({"model": "m", "input": "a long shared prefix", "prompt_cache_key": "k1"});
        let (_, first) = post_json(&server, "/responses", &request).await;
        assert_eq!(first["usage"]["input_tokens_details"]["cached_tokens"], 0);
        let (_, second) = post_json(&server, "/responses", &request).await;
        assert_eq!(
            second["usage"]["input_tokens_details"]["cached_tokens"],
            second["usage"]["input_tokens"]
        );
        assert!(second["usage"]["input_tokens"].as_u64().unwrap() > 0);
    })
    .await;
}

#[tokio::test]
async fn compact_and_input_tokens_answer_in_their_shapes() {
    bounded(async {
        let server = MockServer::start();
        let (status, compacted) = post_json(
            &server,
            "/responses/compact",
            &json!({"model": "gpt-5", "input": [{"role": "user", "content": "one two three"}]}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(compacted["object"], "response.compaction");
        assert!(compacted["created_at"].as_u64().unwrap() > 0);
        let item = &compacted["output"][0];
        assert_eq!(item["type"], "compaction");
        assert!(item["id"].is_string());
        assert!(item["encrypted_content"]
            .as_str()
            .unwrap()
            .starts_with("gAAAAA"));
        assert_eq!(compacted["usage"]["input_tokens"], 3);

        let (status, counted) = post_json(
            &server,
            "/responses/input_tokens",
            &json!({"model": "gpt-4o", "input": "one two three four", "instructions": "five"}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            counted,
            json!({"object": "response.input_tokens", "input_tokens": 5})
        );
        // The same count as a created response's usage.
        let (_, created) = post_json(
            &server,
            "/responses",
            &json!({"model": "gpt-4o", "input": "one two three four", "instructions": "five"}),
        )
        .await;
        assert_eq!(created["usage"]["input_tokens"], 5);
        let (status, _) = post_json(&server, "/responses/compact", &json!({"input": "x"})).await;
        assert_eq!(status, 400);
    })
    .await;
}

#[tokio::test]
async fn chat_completions_answer_stream_and_call_tools() {
    bounded(async {
        let server = MockServer::start();
        let messages = json!([{"role": "system", "content": "Be kind"}, {"role": "user", "content": "Hi there"}]);
        let (status, body) = post_json(&server, "/chat/completions", &json!({"model": "gpt-4o", "messages": messages})).await;
        assert_eq!(status, 200);
        assert_eq!(body["object"], "chat.completion");
        assert!(body["id"].as_str().unwrap().starts_with("chatcmpl-"));
        let choice = &body["choices"][0];
        assert_eq!(choice["finish_reason"], "stop");
        assert_eq!(choice["message"]["role"], "assistant");
        assert_eq!(choice["message"]["content"], "Mock answer to: Hi there. (following: Be kind)");
        assert!(body["usage"]["total_tokens"].as_u64().unwrap() > 0);

        let bytes = stream_body(
            &server,
            "/chat/completions",
            &json!({"model": "gpt-4o", "messages": messages, "stream": true, "stream_options": {"include_usage": true}}),
        )
        .await;
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.ends_with("data: [DONE]\n\n"));
        assert!(!text.contains("event:"), "chat streams have data lines only");
        let chunks = events(&bytes);
        assert!(chunks.iter().all(|c| c["object"] == "chat.completion.chunk"));
        assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
        let content: String = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
            .collect();
        assert_eq!(content, "Mock answer to: Hi there. (following: Be kind)");
        let finish = &chunks[chunks.len() - 2];
        assert_eq!(finish["choices"][0]["finish_reason"], "stop");
        let usage_chunk = chunks.last().unwrap();
        assert_eq!(usage_chunk["choices"], json!([]));
        assert!(usage_chunk["usage"]["completion_tokens"].as_u64().unwrap() > 0);

        let tools = json!([{"type": "function", "function": {"name": "lookup", "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}, "n": {"type": "number"}},
            "required": ["city", "n"]}}}]);
        let (_, called) = post_json(
            &server,
            "/chat/completions",
            &json!({"model": "gpt-4o", "messages": messages, "tools": tools}),
        )
        .await;
        let choice = &called["choices"][0];
        assert_eq!(choice["finish_reason"], "tool_calls");
        let call = &choice["message"]["tool_calls"][0];
        assert_eq!(call["type"], "function");
        assert_eq!(call["function"]["name"], "lookup");
        assert_eq!(call["function"]["arguments"], "{\"city\":\"Paris\",\"n\":1}");

        let bytes = stream_body(
            &server,
            "/chat/completions",
            &json!({"model": "gpt-4o", "messages": messages, "tools": tools, "stream": true}),
        )
        .await;
        let chunks = events(&bytes);
        let arguments: String = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"].as_str())
            .collect();
        assert_eq!(arguments, "{\"city\":\"Paris\",\"n\":1}");
        assert_eq!(chunks.last().unwrap()["choices"][0]["finish_reason"], "tool_calls");

        // After the tool message: an answer that uses it.
        let mut with_result = messages.as_array().unwrap().clone();
        with_result.push(json!({"role": "assistant", "content": null, "tool_calls": [call.clone()]}));
        with_result.push(json!({"role": "tool", "tool_call_id": call["id"], "content": "sunny"}));
        let (_, answered) = post_json(
            &server,
            "/chat/completions",
            &json!({"model": "gpt-4o", "messages": with_result, "tools": tools}),
        )
        .await;
        assert_eq!(answered["choices"][0]["message"]["content"], "The tool returned: sunny.");
        assert_eq!(answered["choices"][0]["finish_reason"], "stop");

        let (status, body) = post_json(&server, "/chat/completions", &json!({"model": "gpt-4o"})).await;
        assert_eq!(status, 400);
        assert_eq!(assert_error(&body)["param"], "messages");
    })
    .await;
}

#[tokio::test]
async fn legacy_completions_answer_and_stream() {
    bounded(async {
        let server = MockServer::start();
        let (status, body) = post_json(
            &server,
            "/completions",
            &json!({"model": "gpt-3.5-turbo-instruct", "prompt": "Say this is a test"}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["object"], "text_completion");
        let choice = &body["choices"][0];
        assert_eq!(choice["text"], "Mock answer to: Say this is a test.");
        assert_eq!(choice["index"], 0);
        assert_eq!(choice["finish_reason"], "stop");
        assert_eq!(choice["logprobs"], Value::Null);
        assert!(body["usage"]["total_tokens"].as_u64().unwrap() > 0);

        let bytes = stream_body(
            &server,
            "/completions",
            &json!({"model": "gpt-3.5-turbo-instruct", "prompt": "Say this is a test", "stream": true}),
        )
        .await;
        assert!(bytes.ends_with(b"data: [DONE]\n\n"));
        let chunks = events(&bytes);
        let text: String = chunks.iter().map(|c| c["choices"][0]["text"].as_str().unwrap()).collect();
        assert_eq!(text, "Mock answer to: Say this is a test.");
        assert_eq!(chunks.last().unwrap()["choices"][0]["finish_reason"], "stop");
    })
    .await;
}

#[tokio::test]
async fn invalid_requests_get_the_api_400s() {
    bounded(async {
        let server = MockServer::start();
        let raw = client()
            .post(format!("{}/responses", server.url()))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(raw).await;
        assert_eq!(status, 400);
        assert_eq!(assert_error(&body)["type"], "invalid_request_error");

        let cases: Vec<(Value, Value, Value)> = vec![
            (json!(["an", "array"]), Value::Null, json!("invalid_type")),
            (json!({"input": "x"}), json!("model"), json!("missing_required_parameter")),
            (json!({"model": null, "input": "x"}), json!("model"), json!("missing_required_parameter")),
            (json!({"model": 5, "input": "x"}), json!("model"), json!("invalid_type")),
            (json!({"model": "m", "input": 5}), json!("input"), json!("invalid_type")),
            (json!({"model": "m", "input": {"role": "user"}}), json!("input"), json!("invalid_type")),
            (json!({"model": "m", "input": ["x"]}), json!("input[0]"), json!("invalid_type")),
            (json!({"model": "m", "temperature": 3}), json!("temperature"), json!("decimal_above_max_value")),
            (json!({"model": "m", "temperature": -0.5}), json!("temperature"), json!("decimal_below_min_value")),
            (json!({"model": "m", "temperature": "hot"}), json!("temperature"), json!("invalid_type")),
            (json!({"model": "m", "tool_choice": "sometimes"}), json!("tool_choice"), json!("invalid_value")),
            (json!({"model": "m", "background": true, "store": false}), json!("background"), Value::Null),
        ];
        for (request, param, code) in cases {
            let (status, body) = post_json(&server, "/responses", &request).await;
            assert_eq!(status, 400, "{request}");
            let error = assert_error(&body);
            assert_eq!(error["type"], "invalid_request_error", "{request}");
            assert_eq!(error["param"], param, "{request}");
            assert_eq!(error["code"], code, "{request}");
        }
        let (_, body) = post_json(&server, "/responses", &json!({"input": "x"})).await;
        assert_eq!(body["error"]["message"], "Missing required parameter: 'model'.");
        let (_, body) = post_json(&server, "/responses", &json!({"model": "m", "temperature": 3})).await;
        assert_eq!(
            body["error"]["message"],
            "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead."
        );

        let (status, body) = get_json(&server, "/nowhere").await;
        assert_eq!(status, 404);
        assert_eq!(body["error"]["message"], "Invalid URL (GET /v1/nowhere)");
    })
    .await;
}

#[tokio::test]
async fn an_api_key_is_required_when_configured_and_never_echoed() {
    bounded(async {
        let key = "sk-test-secret-0123456789";
        let server = MockServer::start_with(MockOptions {
            api_key: Some(key.into()),
            port: None,
        })
        .unwrap();
        let request = json!({"model": "m", "input": "hi"});
        let (status, body) = post_json(&server, "/responses", &request).await;
        assert_eq!(status, 401);
        assert_eq!(assert_error(&body)["code"], "invalid_api_key");

        let wrong = "sk-wrong-key-abcdefghijkl";
        let (status, body) = json_of(
            post_with_header(
                &server,
                "/responses",
                &request,
                ("authorization", &format!("Bearer {wrong}")),
            )
            .await,
        )
        .await;
        assert_eq!(status, 401);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("Incorrect API key provided: sk-"),
            "{message}"
        );
        assert!(
            !message.contains(wrong) && !message.contains(key),
            "{message}"
        );
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(body["error"]["param"], Value::Null);

        // Faults come before the key check.
        let faulted = post_with_header(
            &server,
            "/responses",
            &request,
            ("x-mock-fault", "status=429"),
        )
        .await;
        assert_eq!(faulted.status(), 429);

        let ok = post_with_header(
            &server,
            "/responses",
            &request,
            ("authorization", &format!("Bearer {key}")),
        )
        .await;
        assert_eq!(ok.status(), 200);
        let azure_style = post_with_header(&server, "/responses", &request, ("api-key", key)).await;
        assert_eq!(azure_style.status(), 200);
        // The control endpoints need no key.
        let (status, _) = json_of(
            client()
                .get(format!("{}/__mock/requests", server.root_url()))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert!(!format!("{server:?}").contains(key));
    })
    .await;
}

#[tokio::test]
async fn requests_are_recorded_in_order_and_can_be_cleared() {
    bounded(async {
        let server = MockServer::start();
        let body = json!({"model": "m", "input": "record me"});
        post_with_header(&server, "/responses", &body, ("X-Custom-Header", "yes")).await;
        get(&server, "/responses/resp_none?include=x").await;
        client()
            .post(format!("{}/responses", server.root_url()))
            .body("plain text")
            .send()
            .await
            .unwrap();

        let recorded = server.requests();
        assert_eq!(recorded.len(), 3);
        assert_eq!(recorded[0].method, "POST");
        assert_eq!(recorded[0].path, "/v1/responses");
        assert_eq!(recorded[0].query, "");
        assert_eq!(recorded[0].headers["x-custom-header"], "yes");
        assert_eq!(recorded[0].body, Some(body));
        assert_eq!(recorded[1].method, "GET");
        assert_eq!(recorded[1].query, "include=x");
        assert_eq!(recorded[1].body, None);
        assert_eq!(recorded[2].path, "/responses", "paths without /v1 work too");
        assert_eq!(recorded[2].body, Some(json!("plain text")));

        let (status, over_http) = json_of(
            client()
                .get(format!("{}/__mock/requests", server.root_url()))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(over_http, serde_json::to_value(&recorded).unwrap());
        // Control calls are not recorded.
        assert_eq!(server.requests().len(), 3);
        let cleared = client()
            .delete(format!("{}/__mock/requests", server.root_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(cleared.status(), 200);
        assert!(server.requests().is_empty());
    })
    .await;
}

#[tokio::test]
async fn cors_preflight_is_answered_and_every_response_allows_any_origin() {
    bounded(async {
        let server = MockServer::start();
        let preflight = client()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/responses", server.url()),
            )
            .header("origin", "http://localhost:5173")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 204);
        let headers = preflight.headers();
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert_eq!(
            headers["access-control-allow-methods"],
            "GET,POST,DELETE,OPTIONS"
        );
        assert_eq!(
            headers["access-control-allow-headers"],
            "authorization, content-type"
        );
        assert_eq!(headers["access-control-expose-headers"], "*");

        let response = post(&server, "/responses", &json!({"model": "m", "input": "x"})).await;
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert_eq!(headers["access-control-allow-headers"], "*");
        assert_eq!(
            headers["access-control-allow-methods"],
            "GET,POST,DELETE,OPTIONS"
        );
        assert_eq!(headers["access-control-expose-headers"], "*");
        let error = get(&server, "/responses/resp_nope").await;
        assert_eq!(error.headers()["access-control-allow-origin"], "*");
    })
    .await;
}

#[tokio::test]
async fn the_control_endpoints_are_for_this_machine_and_keys_are_recorded_masked() {
    bounded(async {
        let key = "sk-test-secret-0123456789";
        let server = MockServer::start();
        let sent = post_with_header(
            &server,
            "/responses",
            &json!({"model": "m", "input": "hi"}),
            ("authorization", &format!("Bearer {key}")),
        )
        .await;
        assert_eq!(sent.status(), 200);
        let control = format!("{}/__mock/requests", server.root_url());
        let log = client().get(&control).send().await.unwrap();
        // No CORS: a web page cannot read the log or push faults.
        assert!(log.headers().get("access-control-allow-origin").is_none());
        let text = log.text().await.unwrap();
        assert!(!text.contains("secret-0123"), "{text}");
        let recorded = &server.requests()[0].headers["authorization"];
        assert_eq!(
            recorded,
            &rapidresponse_mock::mask_key(&format!("Bearer {key}"))
        );
        assert!(recorded.ends_with("6789") && !recorded.contains("secret"));
        // A page on another name that resolves here (DNS rebinding) is refused.
        let rebound = client()
            .get(&control)
            .header("host", "evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(rebound.status(), 403);
        let preflight = client()
            .request(reqwest::Method::OPTIONS, &control)
            .header("origin", "http://evil.example")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert!(preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none());
    })
    .await;
}

#[tokio::test]
async fn the_request_log_is_bounded() {
    bounded(async {
        let server = MockServer::start();
        let limit = rapidresponse_mock::MAX_RECORDED;
        let http = client();
        for _ in 0..limit + 10 {
            let r = http
                .get(format!("{}/responses/resp_missing", server.url()))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404);
        }
        let kept = server.requests().len();
        assert!(kept <= limit && kept >= limit / 2, "{kept}");
    })
    .await;
}

#[test]
fn the_server_handle_can_move_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<MockServer>();
}

#[test]
fn a_sync_caller_can_start_and_stop_servers() {
    // No runtime here: the server brings its own.
    let first = MockServer::start();
    let second = MockServer::start();
    assert_ne!(first.port(), second.port());
    assert_eq!(first.url(), format!("http://127.0.0.1:{}/v1", first.port()));
    assert_eq!(
        first.root_url(),
        format!("http://127.0.0.1:{}", first.port())
    );
    let port = first.port();
    first.stop();
    // The port is free again and can be asked for.
    let again = MockServer::start_with(MockOptions {
        api_key: None,
        port: Some(port),
    })
    .unwrap();
    assert_eq!(again.port(), port);
    drop(second);
}

#[tokio::test]
async fn bench_mode_serves_prepared_streams_and_bodies_and_records_nothing() {
    bounded(async {
        let server = MockServer::start();
        let url = |params: &str| format!("{}/bench/{params}/v1/responses", server.root_url());
        let stream = client()
            .post(url("deltas=1000,delta_bytes=5"))
            .json(&json!({"model": "gpt-4.1", "input": "x", "stream": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(stream.headers()["content-type"], "text/event-stream");
        let (bytes, error) = read_body(stream).await;
        assert!(error.is_none());
        let events = events(&bytes);
        let deltas = types(&events)
            .iter()
            .filter(|t| *t == "response.output_text.delta")
            .count();
        assert_eq!(deltas, 1000);
        let acc = accumulate(&bytes);
        assert_eq!(acc.terminal(), Some(Terminal::Completed));
        assert_eq!(acc.text_so_far().len(), 5000);

        let whole: Response = client()
            .post(url("items=20,item_bytes=100"))
            .json(&json!({"model": "gpt-4.1", "input": "x"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(whole.output_text().len(), 2000);
        let small: Response = client()
            .post(format!("{}/bench/v1/responses", server.root_url()))
            .json(&json!({"model": "gpt-4.1", "input": "x"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(small.output_text().len(), 64);
        let bad = client().post(url("deltas=x")).send().await.unwrap();
        assert_eq!(bad.status(), 400);
        assert!(
            server.requests().is_empty(),
            "bench requests are not recorded"
        );
    })
    .await;
}
