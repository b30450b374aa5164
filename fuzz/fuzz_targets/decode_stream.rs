//! Any bytes, split anywhere, through the stream state machine (SSE
//! framing, the event view, the rules of every preset, the accumulator)
//! and typed event decoding: no panic, and the split never changes what
//! comes out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapidresponse_core::{
    EventKind, ResponseStreamEvent, Step, StreamEvent, StreamMachine, StreamRules, UsageKind,
};
use std::collections::VecDeque;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, body)) = data.split_first() else { return };
    let cut = (cut as usize * body.len()) / 256;
    for rules in [StreamRules::strict(), StreamRules::openai_python(), StreamRules::openai_node()] {
        let run = |pieces: &[&[u8]]| {
            let mut m = StreamMachine::new(EventKind::Responses, UsageKind::Response, rules, None, 1 << 20);
            let mut steps = VecDeque::new();
            for p in pieces {
                m.feed(p, &mut steps);
            }
            m.finish(&mut steps);
            for step in &steps {
                if let Step::Event(d) = step {
                    let _ = StreamEvent::<ResponseStreamEvent>::decode(d.clone());
                    if let Some(at) = d.snapshot {
                        let _ = m.accumulator().snapshot_text(at);
                    }
                }
            }
            let _ = m.final_response();
            (steps, m.accumulator().text_so_far(), m.take_usage())
        };
        let whole = run(&[body]);
        let split = run(&[&body[..cut], &body[cut..]]);
        assert_eq!(whole, split);
    }
});
