//! What a YAML document may be before anything parses it for real: a bound on nesting and on what
//! aliases expand to, so that no input makes `validate` hang or exhaust memory.
//!
//! Two checks, both linear in the file's size and run before the parsers that are not:
//! - **Flow nesting** (`[[[[...`): libyaml's scanner is quadratic in it (30,000 levels took 1.5 s,
//!   60,000 took 8.6 s). A linear pre-scan refuses more than [`MAX_FLOW_DEPTH`] open brackets. The
//!   typed parsers refuse more than 128 levels of any nesting anyway, so nothing valid is lost.
//! - **Alias expansion** (`*name` repeats what `&name` holds, so a 180 KB file can stand for
//!   60 million nodes, which took 41 s and 12 GB as a YAML tree): one counting pass stops at
//!   [`MAX_NODES`] nodes, aliases expanded, and the document is refused.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::diagnostics::Diagnostic;

/// More open `[`/`{` than this at once is refused.
pub const MAX_FLOW_DEPTH: usize = 1_000;

/// More nodes than this, aliases expanded, is refused: a scenario written by hand has a few
/// thousand (its traces are CSV files of their own, not YAML).
pub const MAX_NODES: usize = 1_000_000;

/// The first bound `text` passes, as a problem naming its line; `None` when it is within both.
pub fn check(text: &str) -> Option<Diagnostic> {
    if let Some(line) = too_deep(text) {
        return Some(Diagnostic {
            file: None,
            path: ".".into(),
            line: Some(line),
            message: format!("brackets `[` and `{{` are nested more than {MAX_FLOW_DEPTH} deep here"),
            hint: Some("a scenario nests a few levels; check for a runaway or generated bracket".into()),
        });
    }
    let budget = Budget { left: std::cell::Cell::new(MAX_NODES) };
    match budget.deserialize(serde_yaml::Deserializer::from_str(text)) {
        // serde_yaml has a repetition limit of its own, which may be reached first.
        Err(e) if [OVER_BUDGET, "repetition limit exceeded"].iter().any(|m| e.to_string().contains(m)) => {
            Some(Diagnostic {
                file: None,
                path: ".".into(),
                line: None,
                message: format!("the document stands for more than {MAX_NODES} values once its aliases are expanded"),
                hint: Some(
                    "each `*name` repeats everything its `&name` anchor holds; repeat less, or write it out".into(),
                ),
            })
        }
        // Any other problem (YAML syntax, say) is the parsers' to report, with its line.
        _ => None,
    }
}

/// The line at which open flow brackets first exceed [`MAX_FLOW_DEPTH`], if they do.
///
/// A bracket opens a collection only where YAML allows one to start (after `:`, `-`, `?`, `,`,
/// another open bracket, or at the start of a line), and nothing inside a quoted scalar or a
/// comment counts, so brackets inside plain values such as `echo [1]` are not mistaken for nesting.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    // A quoted scalar may go on over lines; a quote taken for an opening one by mistake can only
    // hide brackets, never make up nesting.
    let mut quote: Option<char> = None;
    for (n, line) in text.lines().enumerate() {
        // The last significant character before the current one, on this line (`None`: line start).
        let mut before: Option<char> = None;
        let mut chars = line.chars().peekable();
        // The character just before the current one, whitespace included (a `#` after a space
        // starts a comment; inside a plain value such as `a#b` it does not).
        let mut previous: Option<char> = None;
        while let Some(c) = chars.next() {
            let after_space = matches!(previous, None | Some(' ' | '\t'));
            previous = Some(c);
            if let Some(q) = quote {
                if c == q {
                    // `''` inside single quotes is an escaped quote, not the end.
                    if q == '\'' && chars.peek() == Some(&'\'') {
                        chars.next();
                    } else {
                        quote = None;
                        before = Some(c);
                    }
                } else if q == '"' && c == '\\' {
                    chars.next();
                }
                continue;
            }
            // `,` and open brackets separate values only inside a flow collection; in a block
            // they are part of a plain value (`echo a, [b`).
            let starts_value = match before {
                None | Some(':' | '-' | '?') => true,
                Some(',' | '[' | '{') => depth > 0,
                _ => false,
            };
            match c {
                ' ' | '\t' => continue,
                '#' if after_space => break,
                '\'' | '"' if starts_value => quote = Some(c),
                '[' | '{' if starts_value => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(n + 1);
                    }
                }
                ']' | '}' if depth > 0 => depth -= 1,
                // Part of a plain value: what follows it does not start one.
                '[' | '{' => {
                    before = Some('a');
                    continue;
                }
                _ => {}
            }
            before = Some(c);
        }
    }
    None
}

/// Marks the counting pass's own error among the parser's.
const OVER_BUDGET: &str = "ecsim: node budget exhausted";

/// Visits every node of a document, aliases expanded, and fails once `left` reaches zero.
struct Budget {
    left: std::cell::Cell<usize>,
}

impl Budget {
    fn spend<E: de::Error>(&self) -> Result<(), E> {
        match self.left.get() {
            0 => Err(E::custom(OVER_BUDGET)),
            n => {
                self.left.set(n - 1);
                Ok(())
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for &Budget {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &Budget {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.spend()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.spend()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.spend()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.spend()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.spend()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.spend()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.spend()
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }
    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.spend()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.spend()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!Tag value`): the tag is a name, the value counts.
        use de::VariantAccess;
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_nesting_is_refused_on_its_line() {
        let deep = format!("name: x\nservices: {}{}\n", "[".repeat(MAX_FLOW_DEPTH + 1), "]".repeat(MAX_FLOW_DEPTH + 1));
        let d = check(&deep).expect("refused");
        assert_eq!(d.line, Some(2));
        assert!(d.message.contains("nested more than 1000 deep"), "{}", d.message);
        let fine = format!("a: {}{}\n", "[".repeat(MAX_FLOW_DEPTH), "]".repeat(MAX_FLOW_DEPTH));
        assert!(too_deep(&fine).is_none());
    }

    #[test]
    fn brackets_in_plain_values_quotes_and_comments_are_not_nesting() {
        let line = "command: echo [ { [ x\nname: 'it''s [ here' # [[[[\nother: \"\\\" [\"\n";
        let text = line.repeat(MAX_FLOW_DEPTH);
        assert!(too_deep(&text).is_none());
        assert!(check("a: [1, {b: [2, 3]}]\nc: x#[\n").is_none());
    }

    #[test]
    fn alias_bombs_are_refused_and_ordinary_aliases_pass() {
        let mut lines = vec!["a0: &a0 [x, x, x, x, x, x, x, x, x, x]".to_string()];
        for i in 1..8 {
            lines.push(format!("a{i}: &a{i} [{}]", vec![format!("*a{}", i - 1); 10].join(", ")));
        }
        let d = check(&lines.join("\n")).expect("refused");
        assert!(d.message.contains("aliases are expanded"), "{}", d.message);
        assert!(check("base: &b { cpu: 256 }\nweb: *b\napi: *b\n").is_none());
    }

    #[test]
    fn syntax_errors_are_left_to_the_parser() {
        assert!(check("a: [1, 2\nb: }").is_none());
    }
}
