//! `.gitattributes`: which paths git stores through LFS (`pattern filter=lfs …`).
//!
//! Rules as git applies them to files: a pattern without `/` matches the file name at any depth;
//! one with a `/` (a leading `/` only anchors) matches the whole path; a pattern ending in `/`
//! names folders and matches no file. `*` and `?` never match `/`; a whole `**` segment matches
//! any number of folders (`**/x`, `a/**/b`; a trailing `a/**` matches everything inside `a`);
//! `[…]` classes (`[a-z]`, `[!x]`) and `\` escapes match one byte. The last line that sets,
//! unsets (`-filter`) or unspecifies (`!filter`) `filter` decides; only `filter=lfs` means LFS.
//! Not supported (git's rarer forms): quoted patterns, `[attr]` macros (skipped), and negative
//! `!pattern` lines (git ignores them too).
//!
//! Matching costs O(p·t) steps for a pattern of p bytes and a path of t bytes, with no recursion
//! and no allocation: the classic two-pointer wildcard scan, which keeps one backtrack point (the
//! last `*`) instead of one per `*`, so `*a*a*a…b` cannot explode.

use alloc::string::String;
use alloc::vec::Vec;

/// The LFS decisions of one `.gitattributes` file (or several, concatenated in order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GitAttributes {
    rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    /// Without the anchoring `/`.
    pattern: String,
    lfs: bool,
}

impl GitAttributes {
    /// Reads every line that decides `filter`; other lines are ignored.
    pub fn parse(text: &str) -> Self {
        let mut rules = Vec::new();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let Some(pattern) = words.next() else { continue };
            if pattern.starts_with('#') || pattern.starts_with('!') || pattern.starts_with("[attr]") {
                continue;
            }
            let mut filter = None;
            for word in words {
                match word {
                    "filter=lfs" => filter = Some(true),
                    "-filter" | "!filter" | "filter" => filter = Some(false),
                    w if w.starts_with("filter=") => filter = Some(false),
                    _ => {}
                }
            }
            if let Some(lfs) = filter {
                rules.push(Rule { pattern: pattern.into(), lfs });
            }
        }
        GitAttributes { rules }
    }

    /// Whether `path` (repo-relative, `/`-separated) goes to LFS.
    pub fn is_lfs(&self, path: &str) -> bool {
        self.rules.iter().rev().find(|r| pattern_matches(&r.pattern, path)).is_some_and(|r| r.lfs)
    }
}

/// Whether a `.gitattributes` pattern matches a file at `path`, by the rules of the module doc.
pub fn pattern_matches(pattern: &str, path: &str) -> bool {
    if pattern.is_empty() || pattern.ends_with('/') {
        return false;
    }
    let anchored = pattern.strip_prefix('/');
    match anchored {
        None if !pattern.contains('/') => {
            let name = path.rsplit('/').next().unwrap_or(path);
            segment_matches(pattern.as_bytes(), name.as_bytes())
        }
        _ => path_matches(anchored.unwrap_or(pattern), path),
    }
}

/// Segment-wise match of a pattern with `/` against a whole path. A `**` segment is the "star"
/// here: the same two-pointer scan as [`segment_matches`], one level up.
fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pattern: Vec<&str> = pattern.split('/').collect();
    // `a/**` matches what is inside `a`, not `a` itself: a trailing `**` needs one more segment,
    // which a `*` segment (any one segment) after it demands.
    if pattern.last() == Some(&"**") {
        pattern.push("*");
    }
    let text: Vec<&str> = path.split('/').collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == "**" {
            p += 1;
            backtrack = Some((p, t));
            continue;
        }
        if p < pattern.len() && segment_matches(pattern[p].as_bytes(), text[t].as_bytes()) {
            p += 1;
            t += 1;
            continue;
        }
        match backtrack {
            Some((bp, bt)) => {
                p = bp;
                t = bt + 1;
                backtrack = Some((bp, bt + 1));
            }
            None => return false,
        }
    }
    while p < pattern.len() && pattern[p] == "**" {
        p += 1;
    }
    p == pattern.len()
}

/// `*`, `?`, `[…]` and `\x` within one path segment (no `/` in `text`).
pub(crate) fn segment_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Pattern position after the last `*`, and the text position that star has reached.
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if pattern.get(p) == Some(&b'*') {
            p += 1;
            backtrack = Some((p, t));
            continue;
        }
        if let Some((matched, len)) = single(pattern, p, text[t]) {
            if matched {
                p += len;
                t += 1;
                continue;
            }
        }
        match backtrack {
            Some((bp, bt)) => {
                p = bp;
                t = bt + 1;
                backtrack = Some((bp, bt + 1));
            }
            None => return false,
        }
    }
    while pattern.get(p) == Some(&b'*') {
        p += 1;
    }
    p == pattern.len()
}

/// The one-byte element at `pattern[p]` (a literal, `?`, `\x` or a `[…]` class) tested against
/// `c`: whether it matches and how many pattern bytes it spans; `None` at the pattern's end.
fn single(pattern: &[u8], p: usize, c: u8) -> Option<(bool, usize)> {
    match *pattern.get(p)? {
        b'?' => Some((c != b'/', 1)),
        b'\\' => match pattern.get(p + 1) {
            Some(&e) => Some((e == c, 2)),
            None => Some((c == b'\\', 1)),
        },
        b'[' => Some(class(pattern, p, c).unwrap_or((c == b'[', 1))),
        literal => Some((literal == c, 1)),
    }
}

/// A `[…]` class at `pattern[p]`; `None` when it has no closing `]` (then `[` is literal).
fn class(pattern: &[u8], p: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = p + 1;
    let negated = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let lo = *pattern.get(i)?;
        if lo == b']' && !first {
            return Some((matched != negated && c != b'/', i + 1 - p));
        }
        first = false;
        let (lo, lo_len) = if lo == b'\\' { (*pattern.get(i + 1)?, 2) } else { (lo, 1) };
        i += lo_len;
        if pattern.get(i) == Some(&b'-') && pattern.get(i + 1).is_some_and(|&h| h != b']') {
            let hi = pattern[i + 1];
            let (hi, hi_len) = if hi == b'\\' { (*pattern.get(i + 2)?, 2) } else { (hi, 1) };
            i += 1 + hi_len;
            matched |= (lo..=hi).contains(&c);
        } else {
            matched |= lo == c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xet::test_data::SplitMix64;
    use alloc::vec;

    /// An obviously correct (exponential) reference for `*`, `?` and literals within segments,
    /// as localhub matched them: one recursive case per pattern element.
    fn naive(pattern: &[u8], text: &[u8]) -> bool {
        match (pattern.first(), text.first()) {
            (None, None) => true,
            (Some(b'*'), _) => {
                naive(&pattern[1..], text) || (!text.is_empty() && text[0] != b'/' && naive(pattern, &text[1..]))
            }
            (Some(b'?'), Some(c)) if *c != b'/' => naive(&pattern[1..], &text[1..]),
            (Some(p), Some(c)) if p == c => naive(&pattern[1..], &text[1..]),
            _ => false,
        }
    }

    #[test]
    fn hub_default_patterns() {
        let a = GitAttributes::parse(
            "*.bin filter=lfs diff=lfs merge=lfs -text\n# c\ndata/*.csv filter=lfs\n*.txt text\n\
             *.tar.* filter=lfs diff=lfs merge=lfs -text\n*tfevents* filter=lfs diff=lfs merge=lfs -text\n",
        );
        let patterns: Vec<&str> = a.rules.iter().filter(|r| r.lfs).map(|r| r.pattern.as_str()).collect();
        assert_eq!(patterns, ["*.bin", "data/*.csv", "*.tar.*", "*tfevents*"]);
        assert!(a.is_lfs("model.bin"));
        assert!(a.is_lfs("sub/dir/model.bin"));
        assert!(a.is_lfs("data/a.csv"));
        assert!(!a.is_lfs("other/data/a.csv"));
        assert!(!a.is_lfs("data/sub/a.csv"));
        assert!(!a.is_lfs("a.txt"));
        assert!(a.is_lfs("x/a.tar.gz"));
        assert!(a.is_lfs("runs/events.out.tfevents.123"));
    }

    #[test]
    fn later_lines_override_and_unset() {
        let a = GitAttributes::parse("*.bin filter=lfs\nsmall.bin -filter\nkeep/*.bin !filter\nodd.bin filter=other\n");
        assert!(a.is_lfs("x.bin"));
        assert!(!a.is_lfs("small.bin"));
        assert!(!a.is_lfs("d/small.bin"));
        assert!(!a.is_lfs("keep/a.bin"));
        assert!(a.is_lfs("keep/sub/a.bin"));
        assert!(!a.is_lfs("odd.bin"));
        let again = GitAttributes::parse("small.bin -filter\n*.bin filter=lfs\n");
        assert!(again.is_lfs("small.bin"), "the later line wins");
        let ignored = GitAttributes::parse("!*.bin filter=lfs\n[attr]big filter=lfs\nfolder/ filter=lfs\n");
        assert!(!ignored.is_lfs("a.bin") && !ignored.is_lfs("folder") && !ignored.is_lfs("folder/x"));
    }

    #[test]
    fn anchors_globstars_and_classes() {
        assert!(pattern_matches("/top.bin", "top.bin"));
        assert!(!pattern_matches("/top.bin", "sub/top.bin"));
        assert!(pattern_matches("**/w.bin", "w.bin"));
        assert!(pattern_matches("**/w.bin", "a/b/w.bin"));
        assert!(pattern_matches("a/**/b", "a/b"));
        assert!(pattern_matches("a/**/b", "a/x/y/b"));
        assert!(!pattern_matches("a/**/b", "a/x/y/c"));
        assert!(pattern_matches("a/**", "a/x"));
        assert!(pattern_matches("a/**", "a/x/y"));
        assert!(!pattern_matches("a/**", "a"));
        assert!(pattern_matches("**", "anything/at/all"));
        assert!(pattern_matches("*.[ch]", "src/x.c"));
        assert!(!pattern_matches("*.[ch]", "x.o"));
        assert!(pattern_matches("f[!0-9]", "fx"));
        assert!(!pattern_matches("f[!0-9]", "f7"));
        assert!(pattern_matches("[]]x", "]x"));
        assert!(pattern_matches("a[", "a["));
        assert!(pattern_matches("\\*.bin", "*.bin"));
        assert!(!pattern_matches("\\*.bin", "x.bin"));
        assert!(!pattern_matches("", "x"));
    }

    #[test]
    fn pathological_patterns_finish() {
        let text = vec![b'a'; 10_000];
        assert!(!segment_matches(b"*a*a*a*a*a*a*a*a*a*b", &text));
        assert!(segment_matches(b"*a*a*a*a*a*a*a*a*a*a", &text));
        let path = "a/".repeat(5_000) + "c";
        assert!(!pattern_matches("**/a/**/a/**/a/**/b", &path));
        assert!(pattern_matches("**/a/**/a/**/a/**/c", &path));
        assert!(!GitAttributes::parse(&("*a".repeat(500) + "b filter=lfs")).is_lfs(&"a".repeat(10_000)));
    }

    #[test]
    fn two_pointer_scan_agrees_with_the_naive_matcher() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..20_000 {
            let pattern: Vec<u8> = (0..rng.next() % 8).map(|_| b"ab*?/"[(rng.next() % 5) as usize]).collect();
            let text: Vec<u8> = (0..rng.next() % 10).map(|_| b"ab/"[(rng.next() % 3) as usize]).collect();
            let (p, t) = (core::str::from_utf8(&pattern).unwrap(), core::str::from_utf8(&text).unwrap());
            // `**` segments, empty or trailing-slash patterns have rules the naive matcher lacks.
            if p.split('/').any(|s| s == "**") || p.is_empty() || p.ends_with('/') || p.starts_with('/') {
                continue;
            }
            let expected = if p.contains('/') {
                naive(&pattern, &text)
            } else {
                naive(&pattern, text.rsplit(|&b| b == b'/').next().unwrap())
            };
            assert_eq!(pattern_matches(p, t), expected, "pattern {p:?} text {t:?}");
        }
    }
}
