//! `allowPatterns` / `ignorePatterns` of a snapshot download, matched as Python's
//! `huggingface_hub.utils.filter_repo_objects` does: `fnmatch.fnmatchcase` over the whole path
//! (`*` crosses `/`), a pattern ending in `/` standing for everything under that folder.

/// One `[...]` set at `pattern[at]` (which is `[`): `Some((matched, length))`, or `None` when it
/// is not closed (then `[` is a literal, as in Python).
fn class(pattern: &[char], at: usize, c: char) -> Option<(bool, usize)> {
    let mut i = at + 1;
    let negated = matches!(pattern.get(i), Some('!'));
    if negated {
        i += 1;
    }
    let start = i;
    let mut matched = false;
    while i < pattern.len() {
        if pattern[i] == ']' && i > start {
            return Some((matched != negated, i + 1 - at));
        }
        if i + 2 < pattern.len() && pattern[i + 1] == '-' && pattern[i + 2] != ']' {
            matched |= pattern[i] <= c && c <= pattern[i + 2];
            i += 3;
        } else {
            matched |= pattern[i] == c;
            i += 1;
        }
    }
    None
}

/// Python's `fnmatch.fnmatchcase(name, pattern)`: `*`, `?`, `[seq]`, `[!seq]`; linear in practice
/// (one backtrack point: the last `*`).
pub fn fnmatchcase(name: &str, pattern: &str) -> bool {
    let p: alloc::vec::Vec<char> = pattern.chars().collect();
    let t: alloc::vec::Vec<char> = name.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match class(&p, pi, t[ti]) {
                Some((true, len)) => Some(len),
                Some((false, _)) => None,
                None => (t[ti] == '[').then_some(1),
            },
            Some(&c) => (c == t[ti]).then_some(1),
            None => None,
        };
        match (step, star) {
            (Some(len), _) => {
                pi += len;
                ti += 1;
            }
            (None, Some((sp, st))) => {
                pi = sp;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// `_add_wildcard_to_directories`: `folder/` means `folder/*`.
fn expanded(pattern: &str) -> alloc::string::String {
    let mut out = alloc::string::String::from(pattern);
    if out.ends_with('/') {
        out.push('*');
    }
    out
}

/// Whether a snapshot download takes `path`: it matches one of `allow` (when given) and none of
/// `ignore`.
pub fn is_selected(path: &str, allow: Option<&[alloc::string::String]>, ignore: &[alloc::string::String]) -> bool {
    if let Some(allow) = allow {
        if !allow.iter().any(|p| fnmatchcase(path, &expanded(p))) {
            return false;
        }
    }
    !ignore.iter().any(|p| fnmatchcase(path, &expanded(p)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec;

    /// Printed by Python 3.11's `fnmatch.fnmatchcase(path, pattern)` in target/peers-venv.
    const PYTHON: &[(&str, &str, bool)] = &[
        ("a/b/c.json", "*.json", true),
        ("c.json", "*.json", true),
        ("a/b/c.json", "a/*", true),
        ("a/b/c.json", "a/*.json", true),
        ("x.bin", "?.bin", true),
        ("xy.bin", "?.bin", false),
        ("model-00001.safetensors", "model-[0-9]*.safetensors", true),
        ("model-a.safetensors", "model-[!0-9]*", true),
        ("a]b", "a]b", true),
        ("ab", "a[]]b", false),
        ("a]b", "a[]]b", true),
        ("a-b", "a[a-c-]b", true),
        ("README.md", "README.md", true),
        ("readme.md", "README.md", false),
        ("a/b", "a/", false),
        ("a/b", "a/*", true),
        (".hidden", ".*", true),
        ("x/.hidden", ".*", false),
        ("ab", "a[b", false),
        ("a[b", "a[b", true),
        ("", "*", true),
        ("abc", "a*b*c", true),
        ("abc", "a*b*d", false),
    ];

    #[test]
    fn fnmatchcase_matches_python() {
        for &(path, pattern, expected) in PYTHON {
            assert_eq!(fnmatchcase(path, pattern), expected, "{path:?} {pattern:?}");
        }
    }

    #[test]
    fn folders_and_ignores_as_filter_repo_objects() {
        let allow = vec![String::from("nested/"), "*.json".into()];
        let ignore = vec![String::from("nested/deeper/")];
        assert!(is_selected("config.json", Some(&allow), &ignore));
        assert!(is_selected("nested/a.txt", Some(&allow), &ignore));
        assert!(!is_selected("nested/deeper/notes.txt", Some(&allow), &ignore));
        assert!(!is_selected("model.bin", Some(&allow), &ignore));
        assert!(is_selected("model.bin", None, &[]));
    }
}
