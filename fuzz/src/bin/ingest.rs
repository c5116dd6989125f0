//! AFL++ entry for the `ingest` target (`secdesk_fuzz::targets::ingest`).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        secdesk_fuzz::targets::ingest(data);
    });
}
