//! AFL++ entry for the `reply` target (`secdesk_fuzz::targets::reply`).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        secdesk_fuzz::targets::reply(data);
    });
}
