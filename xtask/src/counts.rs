//! Reading pass/fail counts out of each test runner's own summary lines.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// The summary format a runner prints.
#[derive(Clone, Copy, Debug)]
pub enum Format {
    /// cargo test and wasm-bindgen-test: `test result: ok. 3 passed; 0 failed; …`, one per binary.
    Cargo,
    /// node --test with the TAP reporter: `# pass 3` and `# fail 0`.
    NodeTap,
    /// deno test: `ok | 3 passed | 0 failed` (or `FAILED | …`).
    Deno,
    /// Our own runners: a line `N passed, N failed`; the last one counts.
    Plain,
}

pub fn parse(format: Format, output: &str) -> Counts {
    let mut counts = Counts::default();
    match format {
        Format::Cargo => {
            for line in output.lines() {
                if let Some(rest) = line.trim().strip_prefix("test result: ") {
                    counts.add(Counts {
                        passed: number_before(rest, " passed").unwrap_or(0),
                        failed: number_before(rest, " failed").unwrap_or(0),
                    });
                }
            }
        }
        Format::NodeTap => {
            for line in output.lines() {
                let line = line.trim();
                if let Some(n) = line.strip_prefix("# pass ") {
                    counts.passed = n.trim().parse().unwrap_or(0);
                } else if let Some(n) = line.strip_prefix("# fail ") {
                    counts.failed = n.trim().parse().unwrap_or(0);
                }
            }
        }
        Format::Deno => {
            for line in output.lines() {
                let line = strip_ansi(line);
                if (line.starts_with("ok |") || line.starts_with("FAILED |")) && line.contains(" passed") {
                    counts.passed = number_before(&line, " passed").unwrap_or(0);
                    counts.failed = number_before(&line, " failed").unwrap_or(0);
                }
            }
        }
        Format::Plain => {
            for line in output.lines() {
                let line = line.trim();
                if line.contains(" passed, ") && line.ends_with(" failed") {
                    counts.passed = number_before(line, " passed").unwrap_or(0);
                    counts.failed = number_before(line, " failed").unwrap_or(0);
                }
            }
        }
    }
    counts
}

/// The integer written just before the first occurrence of `marker` in `s`.
fn number_before(s: &str, marker: &str) -> Option<u64> {
    let head = &s[..s.find(marker)?];
    let start = head.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    head[start..].parse().ok()
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Skip `ESC [ … letter`.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_sums_every_test_binary() {
        let out = "running 2 tests\ntest a ... ok\n\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\
                   test result: FAILED. 5 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(parse(Format::Cargo, out), Counts { passed: 7, failed: 1 });
    }

    #[test]
    fn node_tap_summary() {
        let out = "TAP version 13\nok 1 - x\n1..12\n# tests 12\n# suites 0\n# pass 11\n# fail 1\n# cancelled 0";
        assert_eq!(parse(Format::NodeTap, out), Counts { passed: 11, failed: 1 });
    }

    #[test]
    fn deno_summary_with_colours() {
        let out = "\u{1b}[0m\u{1b}[32mok\u{1b}[0m | 9 passed | 0 failed \u{1b}[0m\u{1b}[38;5;245m(1s)\u{1b}[0m";
        assert_eq!(parse(Format::Deno, out), Counts { passed: 9, failed: 0 });
        let failed = "FAILED | 8 passed | 2 failed (3s)";
        assert_eq!(parse(Format::Deno, failed), Counts { passed: 8, failed: 2 });
    }

    #[test]
    fn plain_takes_the_last_summary() {
        let out = "ok - a\nworkerd: 1 passed, 0 failed\nnot ok - b\n3 passed, 1 failed";
        assert_eq!(parse(Format::Plain, out), Counts { passed: 3, failed: 1 });
    }

    #[test]
    fn no_summary_means_zero() {
        assert_eq!(parse(Format::Cargo, "error: could not compile"), Counts::default());
        assert_eq!(parse(Format::Plain, ""), Counts::default());
    }
}
