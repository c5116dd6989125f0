//! Test macros, as ripgrep's `rgtest!` and `eqnice!`.

/// Defines a test that gets a fresh [`crate::util::Desk`] named after it,
/// with an empty database (`Desk::new`), or with none yet when the name is
/// preceded by `fresh` (`Desk::fresh`).
macro_rules! desktest {
    (fresh $name:ident, |$desk:ident| $body:block) => {
        #[test]
        fn $name() {
            let $desk = crate::util::Desk::fresh(stringify!($name));
            $body
        }
    };
    ($name:ident, |$desk:ident| $body:block) => {
        #[test]
        fn $name() {
            let $desk = crate::util::Desk::new(stringify!($name));
            $body
        }
    };
}

/// Asserts equality and prints both sides in full when they differ.
macro_rules! eqnice {
    ($expected:expr, $got:expr) => {{
        let expected = &$expected;
        let got = &$got;
        if expected != got {
            panic!(
                "\n==== expected ====\n{}\n==== got ====\n{}\n=================\n",
                expected, got
            );
        }
    }};
}
