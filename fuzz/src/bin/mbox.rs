//! AFL++ entry for the `mbox` target (`secdesk_fuzz::targets::mbox`).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        secdesk_fuzz::targets::mbox(data);
    });
}
