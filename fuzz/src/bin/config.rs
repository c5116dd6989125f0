//! AFL++ entry for the `config` target (`secdesk_fuzz::targets::config`).

fn main() {
    afl::fuzz!(|data: &[u8]| {
        secdesk_fuzz::targets::config(data);
    });
}
