//! Peak memory of the `rapidresponse` process against a hostile server: a
//! normal stream, then one with a 1 MiB SSE `id` and 20,000 tiny events
//! after it (the mock's `hostile=amplified-id`). A test binary of its own,
//! so the children's peak (`getrusage(RUSAGE_CHILDREN)`) is these runs'.
#![cfg(unix)]

mod common;

fn run(server: &rapidresponse_mock::MockServer, model: &str) -> usize {
    let out = common::cli()
        .env("OPENAI_BASE_URL", server.url())
        .args(["--json", "--model", model, "hello"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().count()
}

/// The largest peak RSS of the children waited for so far (KiB on Linux).
fn children_peak() -> i64 {
    // SAFETY: getrusage fills the struct it is given; zeroed is a valid
    // starting value for it.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage), 0);
        usage.ru_maxrss
    }
}

#[test]
fn an_amplified_sse_id_does_not_grow_the_commands_memory() {
    let server = rapidresponse_mock::MockServer::start();
    let normal_events = run(&server, "gpt-4.1");
    let normal = children_peak();
    let events = run(&server, "mock-fault:hostile=amplified-id");
    let peak = children_peak();
    assert!(
        normal_events > 5 && events > 20_000,
        "{normal_events} {events}"
    );
    assert!(peak < 3 * normal, "normal {normal}, amplified {peak}");
    eprintln!("peak RSS: normal {normal} KiB, amplified id {peak} KiB");
}
