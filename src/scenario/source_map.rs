//! Where each node of a scenario YAML document sits, so errors can print `file:line: path: message`.
//!
//! Paths use the format of `serde_path_to_error` (and of our validator): map keys joined by `.`,
//! sequence indices as `[i]` with no dot before them, and `.` for the document root.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Lines of every node of a YAML document, by path.
///
/// A `BTreeMap`, not a `HashMap`: nothing in the simulator may depend on hash iteration order.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    lines: BTreeMap<String, usize>,
    /// Keys written twice in one map: (path, first line, repeated line). serde keeps the last one
    /// of a map of names silently, so the loader reports them.
    duplicates: Vec<(String, usize, usize)>,
}

/// One open container while walking the event stream. A `None` path means "not addressable"
/// (inside a complex key): nothing under it is recorded.
enum Frame {
    Map { path: Option<String>, slot: Slot },
    Seq { path: Option<String>, next: usize },
}

/// What a map expects next: a key, or the value of the entry whose path the key gave.
enum Slot {
    Key,
    Value(Option<String>),
}

/// Event receiver that tracks the path of the current node with a stack of open containers.
#[derive(Default)]
struct Builder {
    lines: BTreeMap<String, usize>,
    stack: Vec<Frame>,
    duplicates: Vec<(String, usize, usize)>,
}

impl Builder {
    /// Records `path` at `line` unless already known: a map value keeps the line of its key (a
    /// repeated key is kept in `duplicates` and its subtree not recorded).
    fn record(&mut self, path: Option<&str>, line: usize) {
        if let Some(p) = path {
            self.lines.entry(p.to_string()).or_insert(line);
        }
    }

    /// Handles the start of any node (scalar, alias, map, sequence); returns the node's path.
    fn node_start(&mut self, ev: &Event, line: usize) -> Option<String> {
        let path = match self.stack.last_mut() {
            // Only the first root counts; `load(.., false)` stops after one document anyway.
            None if self.lines.contains_key(".") => return None,
            None => Some(".".to_string()),
            Some(Frame::Seq { path, next }) => {
                let p = path.as_deref().map(|p| join(p, &format!("[{next}]")));
                *next += 1;
                p
            }
            Some(Frame::Map { path, slot }) => match std::mem::replace(slot, Slot::Key) {
                // The value of the entry whose key was just read: its line is the key's, already recorded.
                Slot::Value(entry) => entry,
                // A key. A scalar key names the entry, which starts on the key's line; anything else
                // (alias, map or sequence as key) is a complex key, which leaves the entry unaddressable
                // and the key's own contents unrecorded (a container key gets a `None` path).
                Slot::Key => {
                    let mut entry = match ev {
                        Event::Scalar(key, ..) => path.as_deref().map(|p| join(p, &format!(".{key}"))),
                        _ => None,
                    };
                    // A repeated key is reported once; what is under it is not walked again.
                    if let Some((e, first)) = entry.as_ref().and_then(|e| self.lines.get(e).map(|f| (e.clone(), *f))) {
                        self.duplicates.push((e, first, line));
                        entry = None;
                    }
                    *slot = Slot::Value(entry.clone());
                    entry
                }
            },
        };
        self.record(path.as_deref(), line);
        path
    }
}

/// Appends `suffix` (`.key` or `[i]`) to `parent`; children of the root have no leading dot.
fn join(parent: &str, suffix: &str) -> String {
    match parent {
        "." => suffix.strip_prefix('.').unwrap_or(suffix).to_string(),
        _ => format!("{parent}{suffix}"),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line(); // yaml-rust2 markers are 1-based, like ours.
        match ev {
            Event::Scalar(..) | Event::Alias(_) => {
                self.node_start(&ev, line);
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.node_start(&ev, line);
                self.stack.push(match ev {
                    Event::MappingStart(..) => Frame::Map { path, slot: Slot::Key },
                    _ => Frame::Seq { path, next: 0 },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

impl SourceMap {
    /// Reads `text` with yaml-rust2's marked event parser. Never fails: on a syntax error it keeps
    /// what was read before it, since the serde parse reports the syntax error itself. A panic inside
    /// the parser (it has internal `unreachable!`s; none seen under fuzzing) is caught the same way.
    #[must_use]
    pub fn parse(text: &str) -> SourceMap {
        let mut builder = Builder::default();
        let _ = catch_unwind(AssertUnwindSafe(|| {
            let _ = Parser::new_from_str(text).load(&mut builder, false);
        }));
        SourceMap { lines: builder.lines, duplicates: builder.duplicates }
    }

    /// Keys written twice in the same map, in the order of their repetition: (path, the line of
    /// the first, the line of the repetition).
    pub fn duplicates(&self) -> &[(String, usize, usize)] {
        &self.duplicates
    }

    /// 1-based line for `path`: for a map entry the line of its key; for a sequence item the line
    /// where its content starts (the `-` line, unless the `-` stands alone on its line); for `.` line 1.
    /// An absent path (a *missing* field, or a path into a node that does not exist) falls back to its
    /// nearest existing ancestor, so the message still points somewhere useful; `None` only if even
    /// the root is unknown (empty document).
    #[must_use]
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let mut path = if path.is_empty() { "." } else { path };
        loop {
            if let Some(&line) = self.lines.get(path) {
                return Some(if path == "." { 1 } else { line });
            }
            if path == "." {
                return None;
            }
            // Parent: cut at the last `.` or `[`; a path with neither is a child of the root.
            path = match path.rfind(['.', '[']) {
                Some(i) if i > 0 => &path[..i],
                _ => ".",
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts every `path=line` in `spec` (whitespace-separated; `path=-` means `None`, `=1` is the empty path).
    fn check(doc: &str, spec: &str) {
        let map = SourceMap::parse(doc);
        for item in spec.split_whitespace() {
            let (path, want) = item.rsplit_once('=').expect("spec item is path=line");
            let want = want.parse::<usize>().ok();
            assert_eq!(map.line_of(path), want, "path {path:?} in {map:?}");
        }
    }

    #[test]
    fn top_level_and_nested_keys() {
        let doc = "---\nseed: 7\nservices:\n  web:\n    desired_count: 3\n    cpu: 256\n";
        check(doc, ".=1 seed=2 services=3 services.web=4 services.web.desired_count=5 services.web.cpu=6");
    }

    #[test]
    fn block_sequence_of_maps() {
        let doc = "task_definitions:\n  web:\n    container_definitions:\n      - name: a\n        memory: 512\n      - name: b\n        memory: 1024\n";
        let base = "task_definitions.web.container_definitions";
        check(doc, &format!("{base}=3 {base}[0]=4 {base}[0].memory=5 {base}[1]=6 {base}[1].memory=7"));
    }

    #[test]
    fn flow_map_inside_sequence_item() {
        let doc = "faults:\n  - { at: 10m, stop_tasks: { service: web, count: 2 } }\n  - at: 20m\n";
        check(doc, "faults=1 faults[0]=2 faults[0].at=2 faults[0].stop_tasks.count=2 faults[1]=3 faults[1].at=3");
    }

    #[test]
    fn flow_and_block_sequence_items() {
        check(
            "zones: [a, b,\n  c]\nlist:\n  - x\n  - [y, z]\n",
            "zones[0]=1 zones[2]=2 list[0]=4 list[1]=5 list[1][1]=5",
        );
        // A `-` alone on its line: the item starts where its content does (the parser gives no dash mark).
        check("- a\n-\n  - b\n", "[0]=1 [1]=3 [1][0]=3");
    }

    #[test]
    fn missing_paths_fall_back_to_ancestors() {
        let doc = "services:\n  web:\n    desired_count: 3\nzones: [a]\n";
        check(doc, "services.web.task_definition=2 services.web.x.y[3]=2 zones[5]=4 nope=1 nope[1].x=1 =1");
    }

    #[test]
    fn empty_document_is_unknown() {
        check("", ".=- a.b=-");
        check("# only a comment\n\n", "a=-");
    }

    #[test]
    fn syntax_error_keeps_earlier_lines() {
        check("a: 1\nb:\n  c: 2\nd: [unclosed\ne: 5\n", "a=1 b.c=3 d=4 e=1");
    }

    #[test]
    fn comments_blank_lines_and_scalar_styles() {
        let doc = "# header\n\n---\n# about a\na: 1 # trailing\n\nb: |\n  multi\n  line\nc: \"quoted\n  over lines\"\n'd e': >\n  folded\n1: one\ntrue: yes\nf: g\n";
        check(doc, "a=5 b=7 c=10 1=14 true=15 f=16");
        assert_eq!(SourceMap::parse(doc).line_of("d e"), Some(12));
    }

    #[test]
    fn anchors_aliases_and_complex_keys() {
        let doc = "base: &b\n  cpu: 1\nweb: *b\n? [x, y]\n: { k: v }\nlast:\n  - *b\n";
        check(doc, "base.cpu=2 web=3 web.cpu=3 last[0]=7 k=1");
        let map = SourceMap::parse(doc);
        assert!(!map.lines.keys().any(|k| k.contains('x') || k.contains('k')), "{map:?}");
    }

    #[test]
    fn malformed_input_never_panics() {
        for doc in [
            "{",
            "[",
            "]",
            "}",
            ": :",
            "- - -\n  -",
            "a: [b: {c",
            "*x",
            "&a",
            "? ? ?",
            "a:\n\tb",
            "\"",
            "'",
            "---\n...\n---",
            "%YAML 9\n",
            "a: b: c",
            "!!",
            "\u{feff}x: 1",
        ] {
            let _ = SourceMap::parse(doc).line_of("a.b[0]");
        }
    }
}
