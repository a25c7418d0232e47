//! The speed and size budget, measured with a plain timing loop (no benchmark harness):
//!
//! ```text
//! cargo test --release --lib -- --ignored --nocapture certificate_render_budget
//! ```
//!
//! Ignored by default: timings are only meaningful in release mode on a quiet machine.

use std::{path::Path, time::Instant};

use super::{Renderer, samples};

const RENDERS: usize = 500;

#[test]
#[ignore = "timing run; see the module documentation"]
fn certificate_render_budget() {
    let started = Instant::now();
    let renderer =
        Renderer::from_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/certs"))).unwrap();
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let docs = samples::all();
    for doc in &docs {
        renderer.render(doc).unwrap(); // warm-up
    }

    let mut millis = Vec::with_capacity(RENDERS);
    let mut bytes = 0;
    for i in 0..RENDERS {
        let mut doc = docs[i % docs.len()].clone();
        doc.number.push_str(&i.to_string()); // a different certificate every time
        let start = Instant::now();
        let pdf = renderer.render(&doc).unwrap();
        millis.push(start.elapsed().as_secs_f64() * 1e3);
        bytes += pdf.len();
    }
    millis.sort_by(f64::total_cmp);
    let median = millis[RENDERS / 2];
    let average_kb = bytes as f64 / RENDERS as f64 / 1024.0;
    println!(
        "load {load_ms:.1} ms; {RENDERS} renders: median {median:.3} ms, \
         p90 {:.3} ms, max {:.3} ms; average size {average_kb:.1} KB",
        millis[RENDERS * 9 / 10],
        millis[RENDERS - 1],
    );
    assert!(
        median < 2.0,
        "median render {median:.3} ms is over the 2 ms budget"
    );
    assert!(
        average_kb < 40.0,
        "average PDF {average_kb:.1} KB is over 40 KB"
    );
}
