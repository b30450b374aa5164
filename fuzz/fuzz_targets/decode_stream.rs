//! Any bytes, split anywhere, through the SSE decoder, event decoding and
//! the accumulator: no panic, and the split never changes the result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rapidresponse_core::{ResponseAccumulator, ResponseEventDecoder};

fuzz_target!(|data: &[u8]| {
    let Some((&cut, body)) = data.split_first() else { return };
    let cut = (cut as usize * body.len()) / 256;
    let run = |pieces: &[&[u8]]| {
        let mut d = ResponseEventDecoder::default();
        let mut out = Vec::new();
        let mut sse_errors = 0;
        for p in pieces {
            sse_errors += d.feed(p, &mut out).is_err() as usize;
        }
        sse_errors += d.finish(&mut out).is_err() as usize;
        let mut acc = ResponseAccumulator::new();
        for e in out.iter().flatten() {
            acc.apply(&e.event);
        }
        let _ = acc.snapshot();
        let text = acc.text_so_far();
        let _ = acc.finish();
        (out, sse_errors.min(1), text)
    };
    let whole = run(&[body]);
    let split = run(&[&body[..cut], &body[cut..]]);
    assert_eq!(whole.0, split.0);
    assert_eq!(whole.2, split.2);
});
