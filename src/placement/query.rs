//! The ECS cluster query language (aws-behaviour.md §4.3): the expressions of `memberOf` placement
//! constraints, parsed once and evaluated against each candidate container instance.
//!
//! Grammar (keywords case-insensitive; subjects case-sensitive, as in ECS):
//! ```text
//! expr       := and (('or' | '||') and)*
//! and        := unary (('and' | '&&') unary)*
//! unary      := ('not' | '!') unary | '(' expr ')' | comparison
//! comparison := subject op value | subject ('exists' | '!exists') | subject ('in' | '!in') '[' value (',' value)* ']'
//! ```
//! ECS's word spellings of the operators (`equals`, `not_in`, `matches`, ...) are accepted too. A
//! value is a quoted string (no escapes: a value holding one kind of quote uses the other) or an
//! unquoted run of characters up to whitespace, `(`, `)`, `[`, `]`, `,` or an operator. ECS forbids
//! parentheses inside a comparison, so a regex with groups or classes must be quoted.
//!
//! Semantics, chosen to follow ECS:
//! - A single-valued field that is absent fails every comparison but `!exists`, the negative ones
//!   (`!=`, `!~`, `!in`) included: ECS treats a missing attribute as not matching. Write
//!   `not (attribute:x == y)` to also accept instances without the attribute.
//! - `task:group` has one value per task on the instance: `==`, `=~`, `in` and the orderings hold
//!   if any value does, `!=`, `!~`, `!in` if none does, so an empty instance satisfies
//!   `task:group != database` (anti-affinity).
//! - `>`, `>=`, `<`, `<=` compare numbers if both sides are numbers, dotted versions (`1.14.5`, as
//!   in ECS's `agentVersion < 1.14.5` example) part by part, otherwise strings lexicographically,
//!   which orders ISO-8601 `registeredAt` dates correctly.
//! - `=~` and `!~` must match the whole value, like the Java `Pattern.matches` ECS uses. Patterns
//!   are compiled once, at parse time, by the `regex-lite` crate (the `regex` crate's syntax with
//!   ASCII classes: `\w`, `\d` and `\s` match ASCII characters only, and `\p{..}` is reported as
//!   invalid, as are Java's look-around and back-references).

use std::cmp::Ordering;
use std::fmt;

use regex_lite::Regex;

/// Deepest nesting of `(` and `not`: parsing and evaluation recurse, so user text must not be able
/// to exhaust the stack.
const MAX_DEPTH: usize = 100;
const SUBJECTS: &str =
    "attribute:<name>, agentConnected, agentVersion, ec2InstanceId, registeredAt, runningTasksCount or task:group";
const OPERATORS: &str = "==, !=, >, >=, <, <=, =~, !~, exists, !exists, in or !in";

/// The things an expression can ask about an instance.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// `attribute:<name>` — built-in (`ecs.instance-type`, `ecs.availability-zone`, `ecs.os-type`, `ecs.os-family`,
    /// `ecs.cpu-architecture`, `ecs.ami-id`, `ecs.vpc-id`, `ecs.subnet-id`...) or custom attributes.
    Attribute(String),
    /// `agentConnected`: `true` or `false`.
    AgentConnected,
    /// `agentVersion`, e.g. `1.14.5`.
    AgentVersion,
    /// `ec2InstanceId`, e.g. `i-0abc`.
    Ec2InstanceId,
    /// `registeredAt`: ordered as a number if the subject gives one (e.g. simulated seconds), else as a string,
    /// which orders ISO-8601 timestamps correctly.
    RegisteredAt,
    /// `runningTasksCount`.
    RunningTasksCount,
    /// `task:group` (multi-valued: the groups of the tasks on the instance).
    TaskGroup,
}

impl Field {
    /// The field a subject names; `None` for anything else, including other capitalisations.
    fn from_subject(subject: &str) -> Option<Field> {
        let field = match subject {
            "agentConnected" => Field::AgentConnected,
            "agentVersion" => Field::AgentVersion,
            "ec2InstanceId" => Field::Ec2InstanceId,
            "registeredAt" => Field::RegisteredAt,
            "runningTasksCount" => Field::RunningTasksCount,
            "task:group" => Field::TaskGroup,
            _ => {
                return subject.strip_prefix("attribute:").filter(|n| !n.is_empty()).map(|n| Field::Attribute(n.into()))
            }
        };
        Some(field)
    }

    /// For `task:group` no values means "no tasks", a value in itself, rather than "absent".
    fn is_multi_valued(&self) -> bool {
        matches!(self, Field::TaskGroup)
    }
}

/// Prints the subject as written in an expression.
impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Attribute(name) => write!(f, "attribute:{name}"),
            Field::AgentConnected => f.write_str("agentConnected"),
            Field::AgentVersion => f.write_str("agentVersion"),
            Field::Ec2InstanceId => f.write_str("ec2InstanceId"),
            Field::RegisteredAt => f.write_str("registeredAt"),
            Field::RunningTasksCount => f.write_str("runningTasksCount"),
            Field::TaskGroup => f.write_str("task:group"),
        }
    }
}

/// What an expression is evaluated against (a container instance). Returns the field's values: empty if the
/// field does not exist on this instance; one value for most fields; any number for `task:group`.
pub trait Subject {
    fn values(&self, field: &Field) -> Vec<String>;
}

/// A parsed `memberOf` expression, kept with its source text for messages and round trips.
#[derive(Clone, Debug)]
pub struct Expression {
    source: String,
    root: Node,
}

/// A malformed expression: where (0-based character offset into the expression), which token, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at character {} (`{token}`)", .position + 1)]
pub struct QueryError {
    pub position: usize,
    pub token: String,
    pub message: String,
}

impl QueryError {
    fn at(token: &Token, message: impl Into<String>) -> QueryError {
        QueryError { position: token.start, token: token.text.clone(), message: message.into() }
    }
}

impl Expression {
    /// Parses `text`, compiling its regular expressions once so that evaluation cannot fail.
    ///
    /// # Errors
    /// Any malformed input (never a panic): the error names the offending token and what was expected.
    pub fn parse(text: &str) -> Result<Expression, QueryError> {
        let mut parser = Parser::new(text)?;
        if parser.peek().kind == Kind::End {
            return Err(QueryError::at(parser.peek(), "empty expression"));
        }
        let root = parser.any()?;
        parser.finish()?;
        Ok(Expression { source: text.to_owned(), root })
    }

    /// Whether `subject` satisfies the expression.
    pub fn matches(&self, subject: &dyn Subject) -> bool {
        self.root.matches(subject)
    }

    /// The fields the expression reads, each once, in order of first use (so the caller knows e.g. whether it
    /// depends on task:group, which changes as tasks are placed).
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = Vec::new();
        self.root.collect_fields(&mut fields);
        fields
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Prints the source text as given, so messages quote the user's own spelling.
impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// The syntax tree. `and`/`or` chains are flat lists, so long chains cost no recursion depth.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Any(Vec<Node>),
    All(Vec<Node>),
    Not(Box<Node>),
    /// `negated` marks `!=`, `!~`, `!in`, `!exists`, which are not `not` of the positive test when the field is absent.
    Compare {
        field: Field,
        test: Test,
        negated: bool,
    },
}

/// The positive form of a comparison.
#[derive(Clone, Debug, PartialEq)]
enum Test {
    Exists,
    Equals(String),
    /// One of `Gt`, `Ge`, `Lt`, `Le`.
    Order(Operator, String),
    Matches(Pattern),
    In(Vec<String>),
}

/// A `=~` argument: its source (for comparing trees) and the regex anchored to match whole values.
#[derive(Clone, Debug)]
struct Pattern {
    source: String,
    regex: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source
    }
}

/// Compiles `source` for whole-value matching. The bare pattern is checked first so that one like
/// `a)|(b` cannot escape the anchoring group, and so that errors quote the user's own pattern.
fn compile_pattern(source: String) -> Result<Pattern, regex_lite::Error> {
    Regex::new(&source)?;
    let regex = Regex::new(&format!("^(?:{source})$"))?;
    Ok(Pattern { source, regex })
}

impl Node {
    fn matches(&self, subject: &dyn Subject) -> bool {
        match self {
            Node::Any(nodes) => nodes.iter().any(|n| n.matches(subject)),
            Node::All(nodes) => nodes.iter().all(|n| n.matches(subject)),
            Node::Not(node) => !node.matches(subject),
            Node::Compare { field, test, negated } => compare(field, test, *negated, &subject.values(field)),
        }
    }

    fn collect_fields(&self, out: &mut Vec<Field>) {
        match self {
            Node::Any(nodes) | Node::All(nodes) => nodes.iter().for_each(|n| n.collect_fields(out)),
            Node::Not(node) => node.collect_fields(out),
            Node::Compare { field, .. } if !out.contains(field) => out.push(field.clone()),
            Node::Compare { .. } => {}
        }
    }
}

/// One comparison, with the absent-field and multi-valued rules of the module docs.
fn compare(field: &Field, test: &Test, negated: bool, values: &[String]) -> bool {
    if matches!(test, Test::Exists) {
        return values.is_empty() == negated;
    }
    if values.is_empty() && !field.is_multi_valued() {
        return false;
    }
    values.iter().any(|v| test.accepts(v)) != negated
}

impl Test {
    fn accepts(&self, value: &str) -> bool {
        match self {
            Test::Exists => true,
            Test::Equals(wanted) => value == wanted,
            Test::Order(op, wanted) => order(value, wanted).is_some_and(|o| op.holds(o)),
            Test::Matches(pattern) => pattern.regex.is_match(value),
            Test::In(wanted) => wanted.iter().any(|w| w == value),
        }
    }
}

/// Orders an instance's value against the expression's: as numbers, else as dotted versions, else
/// as strings. `None` only for NaN, which satisfies no ordering.
fn order(value: &str, wanted: &str) -> Option<Ordering> {
    if let (Ok(a), Ok(b)) = (value.parse::<f64>(), wanted.parse::<f64>()) {
        return a.partial_cmp(&b);
    }
    if let (Some(a), Some(b)) = (version(value), version(wanted)) {
        return Some(a.cmp(&b));
    }
    Some(value.cmp(wanted))
}

/// `1.14.5` as `[1, 14, 5]`; `None` unless every dot-separated part is a decimal number.
fn version(text: &str) -> Option<Vec<u64>> {
    text.split('.').map(|p| if p.bytes().all(|b| b.is_ascii_digit()) { p.parse().ok() } else { None }).collect()
}

/// A comparison operator, in the positive and negated forms ECS spells out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Match,
    NotMatch,
    Exists,
    NotExists,
    In,
    NotIn,
}

impl Operator {
    /// Every operator under its word spelling, accepted wherever an operator is expected.
    const WORDS: [(&'static str, Operator); 12] = [
        ("equals", Operator::Eq),
        ("not_equals", Operator::Ne),
        ("greater_than", Operator::Gt),
        ("greater_than_equal", Operator::Ge),
        ("less_than", Operator::Lt),
        ("less_than_equal", Operator::Le),
        ("matches", Operator::Match),
        ("not_matches", Operator::NotMatch),
        ("exists", Operator::Exists),
        ("not_exists", Operator::NotExists),
        ("in", Operator::In),
        ("not_in", Operator::NotIn),
    ];

    fn from_word(word: &str) -> Option<Operator> {
        Operator::WORDS.iter().find(|(name, _)| name.eq_ignore_ascii_case(word)).map(|(_, op)| *op)
    }

    fn negated(self) -> bool {
        matches!(self, Operator::Ne | Operator::NotMatch | Operator::NotExists | Operator::NotIn)
    }

    /// Whether an ordering operator accepts a value that compares `ordering` to its argument.
    fn holds(self, ordering: Ordering) -> bool {
        use Operator::{Ge, Gt, Le, Lt};
        matches!(
            (self, ordering),
            (Gt | Ge, Ordering::Greater) | (Ge | Le, Ordering::Equal) | (Lt | Le, Ordering::Less)
        )
    }
}

/// A token and where it starts; `text` is the source slice that errors quote.
#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    text: String,
}

/// Keywords (`and`, `not`, `in`, ...) arrive as words: only the parser knows whether a word is a
/// keyword, a subject or a value, so `attribute:x == and` compares with the string "and".
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Word(String),
    Quoted(String),
    Open,
    Close,
    OpenList,
    CloseList,
    Comma,
    /// A lone `!`: "not", or the first half of `!in` / `!exists`.
    Bang,
    AndAnd,
    OrOr,
    Op(Operator),
    End,
}

/// Splits text into tokens plus the end marker. Positions count characters, not bytes, so they
/// point at the right place in non-ASCII text.
fn tokenize(text: &str) -> Result<(Vec<Token>, Token), QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some(&c) = chars.get(at) {
        if c.is_whitespace() {
            at += 1;
            continue;
        }
        let (len, kind) = match c {
            '"' | '\'' => quoted(&chars, at, c)?,
            _ => symbol(&chars, at).unwrap_or_else(|| word(&chars, at)),
        };
        tokens.push(Token { kind, start: at, text: chars.iter().skip(at).take(len).collect() });
        at += len;
    }
    Ok((tokens, Token { kind: Kind::End, start: chars.len(), text: String::new() }))
}

/// The punctuation or operator starting at `at`, with its length in characters.
fn symbol(chars: &[char], at: usize) -> Option<(usize, Kind)> {
    let first = *chars.get(at)?;
    let pair = match (first, chars.get(at + 1).copied().unwrap_or(' ')) {
        ('=', '=') => Kind::Op(Operator::Eq),
        ('!', '=') => Kind::Op(Operator::Ne),
        ('>', '=') => Kind::Op(Operator::Ge),
        ('<', '=') => Kind::Op(Operator::Le),
        ('=', '~') => Kind::Op(Operator::Match),
        ('!', '~') => Kind::Op(Operator::NotMatch),
        ('&', '&') => Kind::AndAnd,
        ('|', '|') => Kind::OrOr,
        _ => return single(first).map(|kind| (1, kind)),
    };
    Some((2, pair))
}

fn single(c: char) -> Option<Kind> {
    let kind = match c {
        '(' => Kind::Open,
        ')' => Kind::Close,
        '[' => Kind::OpenList,
        ']' => Kind::CloseList,
        ',' => Kind::Comma,
        '!' => Kind::Bang,
        '>' => Kind::Op(Operator::Gt),
        '<' => Kind::Op(Operator::Lt),
        _ => return None,
    };
    Some(kind)
}

/// An unquoted word. A `!` inside one (`a!b`) does not end it, as it cannot mean "not" there.
fn word(chars: &[char], at: usize) -> (usize, Kind) {
    let ends = |i: &usize| {
        chars.get(*i).is_none_or(|c| c.is_whitespace()) || symbol(chars, *i).is_some_and(|(_, k)| k != Kind::Bang)
    };
    let end = (at + 1..=chars.len()).find(ends).unwrap_or(chars.len());
    (end - at, Kind::Word(chars.iter().skip(at).take(end - at).collect()))
}

/// A string from `quote` to the next identical quote.
fn quoted(chars: &[char], at: usize, quote: char) -> Result<(usize, Kind), QueryError> {
    match (at + 1..chars.len()).find(|&i| chars.get(i) == Some(&quote)) {
        Some(close) => Ok((close + 1 - at, Kind::Quoted(chars.iter().skip(at + 1).take(close - at - 1).collect()))),
        None => Err(QueryError {
            position: at,
            token: chars.iter().skip(at).collect(),
            message: "unterminated string: missing the closing quote".into(),
        }),
    }
}

/// A recursive-descent parser, one function per grammar rule.
struct Parser {
    tokens: Vec<Token>,
    end: Token,
    next: usize,
    depth: usize,
}

impl Parser {
    fn new(text: &str) -> Result<Parser, QueryError> {
        let (tokens, end) = tokenize(text)?;
        Ok(Parser { tokens, end, next: 0, depth: 0 })
    }

    fn peek(&self) -> &Token {
        self.tokens.get(self.next).unwrap_or(&self.end)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        self.next += 1;
        token
    }

    fn any(&mut self) -> Result<Node, QueryError> {
        let mut terms = vec![self.all()?];
        while self.peek().kind == Kind::OrOr || is_keyword(self.peek(), "or") {
            self.advance();
            terms.push(self.all()?);
        }
        Ok(collapse(terms, Node::Any))
    }

    fn all(&mut self) -> Result<Node, QueryError> {
        let mut terms = vec![self.unary()?];
        while self.peek().kind == Kind::AndAnd || is_keyword(self.peek(), "and") {
            self.advance();
            terms.push(self.unary()?);
        }
        Ok(collapse(terms, Node::All))
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        let token = self.peek().clone();
        if token.kind == Kind::Bang || is_keyword(&token, "not") {
            self.advance();
            return self.nested(&token, Parser::unary).map(|node| Node::Not(Box::new(node)));
        }
        if token.kind == Kind::Open {
            self.advance();
            let inner = self.nested(&token, Parser::any)?;
            self.close(&token)?;
            return Ok(inner);
        }
        self.comparison()
    }

    /// Runs `rule` one level deeper, refusing to go past `MAX_DEPTH`.
    fn nested(&mut self, at: &Token, rule: fn(&mut Parser) -> Result<Node, QueryError>) -> Result<Node, QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(QueryError::at(at, format!("expression nested more than {MAX_DEPTH} deep")));
        }
        self.depth += 1;
        let node = rule(self);
        self.depth -= 1;
        node
    }

    fn close(&mut self, open: &Token) -> Result<(), QueryError> {
        let token = self.advance();
        match token.kind {
            Kind::Close => Ok(()),
            Kind::End => {
                Err(QueryError::at(&token, format!("missing `)` for the `(` at character {}", open.start + 1)))
            }
            _ => Err(QueryError::at(&token, "expected `)`, `and` or `or`")),
        }
    }

    fn finish(&self) -> Result<(), QueryError> {
        let token = self.peek();
        match token.kind {
            Kind::End => Ok(()),
            Kind::Close => Err(QueryError::at(token, "unbalanced `)`: no `(` to close")),
            _ => Err(QueryError::at(token, "unexpected text: expected `and`, `or` or the end of the expression")),
        }
    }

    fn comparison(&mut self) -> Result<Node, QueryError> {
        let field = self.subject()?;
        let op = self.operator()?;
        let test = match op {
            Operator::Exists | Operator::NotExists => Test::Exists,
            Operator::In | Operator::NotIn => Test::In(self.list()?),
            Operator::Eq | Operator::Ne => Test::Equals(self.value()?.1),
            Operator::Gt | Operator::Ge | Operator::Lt | Operator::Le => Test::Order(op, self.value()?.1),
            Operator::Match | Operator::NotMatch => {
                let (token, source) = self.value()?;
                let invalid = |e| QueryError::at(&token, format!("invalid regular expression: {e}"));
                Test::Matches(compile_pattern(source).map_err(invalid)?)
            }
        };
        Ok(Node::Compare { field, test, negated: op.negated() })
    }

    fn subject(&mut self) -> Result<Field, QueryError> {
        let token = self.advance();
        match &token.kind {
            Kind::Word(word) => Field::from_subject(word)
                .ok_or_else(|| QueryError::at(&token, format!("unknown subject: expected {SUBJECTS}"))),
            _ => Err(QueryError::at(&token, format!("expected a subject: {SUBJECTS}"))),
        }
    }

    /// `!in` and `!exists` arrive as `!` and a word, because a lone `!` also means "not"; they must touch.
    fn operator(&mut self) -> Result<Operator, QueryError> {
        let token = self.advance();
        let touching = self.peek().start == token.start + 1;
        let op = match &token.kind {
            Kind::Op(op) => Some(*op),
            Kind::Word(word) => Operator::from_word(word),
            Kind::Bang if touching && is_keyword(self.peek(), "in") => Some(Operator::NotIn),
            Kind::Bang if touching && is_keyword(self.peek(), "exists") => Some(Operator::NotExists),
            _ => None,
        };
        if token.kind == Kind::Bang && op.is_some() {
            self.advance();
        }
        op.ok_or_else(|| QueryError::at(&token, format!("missing operator: expected one of {OPERATORS}")))
    }

    /// The next value and its token (which a regex error points at).
    fn value(&mut self) -> Result<(Token, String), QueryError> {
        let token = self.advance();
        match &token.kind {
            Kind::Word(value) | Kind::Quoted(value) => {
                let value = value.clone();
                Ok((token, value))
            }
            _ => Err(QueryError::at(&token, "missing value: expected a word or a quoted string")),
        }
    }

    fn list(&mut self) -> Result<Vec<String>, QueryError> {
        let open = self.advance();
        if open.kind != Kind::OpenList {
            return Err(QueryError::at(&open, "expected `[` to start the list of values"));
        }
        let mut values = vec![self.value()?.1];
        loop {
            let token = self.advance();
            match token.kind {
                Kind::Comma => values.push(self.value()?.1),
                Kind::CloseList => return Ok(values),
                Kind::End => {
                    let message = format!("missing `]` for the `[` at character {}", open.start + 1);
                    return Err(QueryError::at(&token, message));
                }
                _ => return Err(QueryError::at(&token, "expected `,` or `]`")),
            }
        }
    }
}

fn is_keyword(token: &Token, keyword: &str) -> bool {
    matches!(&token.kind, Kind::Word(word) if word.eq_ignore_ascii_case(keyword))
}

/// A one-term chain is just its term, so `(a)` parses to the same tree as `a`.
fn collapse(terms: Vec<Node>, chain: fn(Vec<Node>) -> Node) -> Node {
    match <[Node; 1]>::try_from(terms) {
        Ok([only]) => only,
        Err(terms) => chain(terms),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    /// A fake instance: each (subject, value) pair adds one value to that field.
    struct Instance(BTreeMap<Field, Vec<String>>);

    impl Subject for Instance {
        fn values(&self, field: &Field) -> Vec<String> {
            self.0.get(field).cloned().unwrap_or_default()
        }
    }

    fn instance(pairs: &[(&str, &str)]) -> Instance {
        let mut fields = BTreeMap::new();
        for (subject, value) in pairs {
            let field = Field::from_subject(subject).expect("a valid test subject");
            fields.entry(field).or_insert_with(Vec::new).push(value.to_string());
        }
        Instance(fields)
    }

    /// A t2.small in us-east-1a, registered 2018-02-12, running a production task and a database task.
    fn t2() -> Instance {
        instance(&[
            ("attribute:ecs.instance-type", "t2.small"),
            ("attribute:ecs.availability-zone", "us-east-1a"),
            ("attribute:ecs.cpu-architecture", "x86_64"),
            ("agentConnected", "true"),
            ("agentVersion", "1.9.0"),
            ("ec2InstanceId", "i-abcd1234"),
            ("registeredAt", "2018-02-12T10:00:00Z"),
            ("runningTasksCount", "9"),
            ("task:group", "service:production"),
            ("task:group", "database"),
        ])
    }

    fn check(subject: &Instance, cases: &[(&str, bool)]) {
        for (text, expected) in cases {
            let expr = Expression::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(expr.matches(subject), *expected, "{text}");
        }
    }

    #[test]
    fn aws_examples() {
        check(
            &t2(),
            &[
                ("attribute:ecs.instance-type == t2.small", true),
                ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true),
                ("attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", false),
                ("attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone != us-east-1d", true),
                ("task:group == service:production", true),
                ("not(task:group == database)", false),
                ("runningTasksCount == 1", false),
                ("agentVersion < 1.14.5", true),
                ("registeredAt < 2018-02-13", true),
                ("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true),
            ],
        );
    }

    #[test]
    fn each_operator() {
        check(
            &t2(),
            &[
                ("attribute:ecs.instance-type == t2.small", true),
                ("attribute:ecs.instance-type == T2.small", false),
                ("attribute:ecs.instance-type != t2.small", false),
                ("attribute:ecs.instance-type != t3.small", true),
                ("runningTasksCount > 8", true),
                ("runningTasksCount > 9", false),
                ("runningTasksCount >= 9", true),
                ("runningTasksCount < 10", true),
                ("runningTasksCount <= 9", true),
                ("runningTasksCount <= 8.5", false),
                ("attribute:ecs.instance-type =~ t2.*", true),
                ("attribute:ecs.instance-type =~ t2", false),
                ("attribute:ecs.instance-type =~ '2.s'", false),
                ("attribute:ecs.instance-type !~ t2.*", false),
                ("attribute:ecs.instance-type !~ m5.*", true),
                ("attribute:ecs.cpu-architecture exists", true),
                ("attribute:ecs.cpu-architecture !exists", false),
                ("attribute:ecs.instance-type in [t3.micro, t2.small]", true),
                ("attribute:ecs.instance-type !in [t3.micro, t3.nano]", true),
                ("attribute:ecs.instance-type !in [t2.small]", false),
                ("attribute:ecs.instance-type equals t2.small", true),
                ("attribute:ecs.instance-type NOT_IN [t2.small]", false),
                ("runningTasksCount greater_than_equal 9 and runningTasksCount less_than 10", true),
                ("attribute:ecs.instance-type matches 't2\\.[a-z]+' && agentConnected not_equals false", true),
                ("attribute:ecs.cpu-architecture not_exists", false),
            ],
        );
    }

    #[test]
    fn orderings_are_numeric_then_version_then_lexicographic() {
        check(
            &t2(),
            &[
                ("runningTasksCount < 10", true), // lexicographically "9" > "10"
                ("runningTasksCount > 1e0", true),
                ("agentVersion > 1.10", false), // as versions [1, 9, 0] < [1, 10]
                ("agentVersion >= 1.9.0", true),
                ("registeredAt > 2018-02-12", true),
                ("registeredAt < 2018-02-12T09:59:59Z", false),
                ("ec2InstanceId > i-a", true),
                ("runningTasksCount < NaN", false),
            ],
        );
    }

    #[test]
    fn task_group_is_multi_valued() {
        check(
            &t2(),
            &[
                ("task:group == database", true),
                ("task:group != database", false),
                ("task:group != cache", true),
                ("task:group =~ data.*", true),
                ("task:group !~ data.*", false),
                ("task:group in [cache, database]", true),
                ("task:group !in [cache, database]", false),
                ("task:group !in [cache, web]", true),
                ("task:group exists", true),
            ],
        );
        check(
            &instance(&[]),
            &[
                ("task:group == database", false),
                ("task:group != database", true),
                ("not(task:group == database)", true),
                ("task:group !~ data.*", true),
                ("task:group !in [database]", true),
                ("task:group exists", false),
                ("task:group !exists", true),
            ],
        );
    }

    #[test]
    fn absent_attribute_fails_all_but_not_exists() {
        check(
            &instance(&[]),
            &[
                ("attribute:stack == x", false),
                ("attribute:stack != x", false),
                ("attribute:stack > 1", false),
                ("attribute:stack <= 1", false),
                ("attribute:stack =~ .*", false),
                ("attribute:stack !~ x", false),
                ("attribute:stack in [x]", false),
                ("attribute:stack !in [x]", false),
                ("attribute:stack exists", false),
                ("attribute:stack !exists", true),
                ("not attribute:stack == x", true),
            ],
        );
    }

    #[test]
    fn precedence_and_parentheses() {
        let (t, f) = ("attribute:ecs.cpu-architecture exists", "attribute:stack exists");
        let subject = t2();
        let cases = [
            (format!("{t} or {t} and {f}"), true), // and binds tighter than or
            (format!("({t} or {t}) and {f}"), false),
            (format!("{f} and {t} or {t}"), true),
            (format!("{f} && ({t} || {t})"), false),
            (format!("not {t} or {t}"), true), // not binds tightest
            (format!("not ({t} or {t})"), false),
            (format!("! {f} and {f}"), false),
            (format!("!({f} and {f})"), true),
            (format!("!!{t}"), true),
            (format!("NOT {f} AND (({t}))"), true),
            (format!("({f}) or ({t}) and not {f}"), true),
        ];
        for (text, expected) in cases {
            check(&subject, &[(text.as_str(), expected)]);
        }
        let tree = Expression::parse("agentConnected == a or agentConnected == b and agentConnected == c").unwrap();
        assert!(
            matches!(&tree.root, Node::Any(terms) if matches!(terms.as_slice(), [Node::Compare { .. }, Node::All(_)]))
        );
    }

    #[test]
    fn tricky_tokens_parse() {
        for text in [
            "!(task:group == database)",
            "attribute:stack !exists",
            "!attribute:stack exists",
            "attribute:ecs.cpu-architecture == arm64 && runningTasksCount < 10",
            "runningTasksCount<10&&agentConnected==true||ec2InstanceId!=i-0abc",
            "ec2InstanceId == i-0abc",
            "attribute:x == and",
            "attribute:x =~ t2.*|m5.*",
            "attribute:x == a!b",
            "attribute:x == \"a b\" or attribute:y in ['say \"hi\"', \"it's\"]",
            "attribute:x == \"\"",
        ] {
            Expression::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        let deep = format!("{}agentConnected exists", "(".repeat(200));
        let cases: &[(&str, usize, &str, &str)] = &[
            ("", 0, "", "empty expression"),
            ("   ", 3, "", "empty expression"),
            ("foo == bar", 0, "foo", "unknown subject"),
            ("AgentConnected == true", 0, "AgentConnected", "unknown subject"),
            ("attribute: == x", 0, "attribute:", "unknown subject"),
            ("(== x)", 1, "==", "expected a subject"),
            ("attribute:x exists and", 22, "", "expected a subject"),
            ("attribute:x", 11, "", "missing operator"),
            ("attribute:x y", 12, "y", "missing operator"),
            ("attribute:x = y", 12, "=", "missing operator"),
            ("attribute:x ! in [y]", 12, "!", "missing operator"),
            ("attribute:x ==", 14, "", "missing value"),
            ("attribute:x == )", 15, ")", "missing value"),
            ("attribute:é ==", 14, "", "missing value"),
            ("(attribute:x exists", 19, "", "missing `)` for the `(` at character 1"),
            ("(attribute:x exists attribute:y", 20, "attribute:y", "expected `)`"),
            ("attribute:x exists)", 18, ")", "unbalanced `)`"),
            ("attribute:x in [a, b", 20, "", "missing `]` for the `[` at character 16"),
            ("attribute:x in [a b]", 18, "b", "expected `,` or `]`"),
            ("attribute:x in a", 15, "a", "expected `[`"),
            ("attribute:x in []", 16, "]", "missing value"),
            ("attribute:x == a b", 17, "b", "unexpected text"),
            ("attribute:x =~ \"(a\"", 15, "\"(a\"", "invalid regular expression: found open group without closing ')'"),
            ("attribute:x =~ 'a)|(b'", 15, "'a)|(b'", "invalid regular expression: found closing ')'"),
            ("attribute:x =~ '(?<=a)b'", 15, "'(?<=a)b'", "invalid regular expression: look-around is not supported"),
            ("attribute:x =~ '(a)\\1'", 15, "'(a)\\1'", "invalid regular expression: backreferences are not supported"),
            ("attribute:x =~ '\\p{L}'", 15, "'\\p{L}'", "invalid regular expression: Unicode character"),
            ("attribute:x == \"abc", 15, "\"abc", "unterminated string"),
            (&deep, 100, "(", "expression nested more than 100 deep"),
        ];
        for (text, position, token, message) in cases {
            let error = Expression::parse(text).expect_err(text);
            assert_eq!((error.position, error.token.as_str()), (*position, *token), "{text}: {error}");
            assert!(error.message.starts_with(message), "{text}: {error}");
        }
        let error = Expression::parse("foo == bar").unwrap_err();
        assert!(error.to_string().ends_with(" at character 1 (`foo`)"), "{error}");
    }

    #[test]
    fn source_display_and_fields() {
        let text = "task:group != db and (attribute:a exists or attribute:a == 1 or runningTasksCount < 2)";
        let expr = Expression::parse(text).unwrap();
        assert_eq!((expr.source(), expr.to_string().as_str()), (text, text));
        let fields = vec![Field::TaskGroup, Field::Attribute("a".into()), Field::RunningTasksCount];
        assert_eq!(expr.fields(), fields);
    }

    #[test]
    fn hostile_input_is_an_error_not_a_crash() {
        for text in ["(".repeat(100_000), "!".repeat(100_000), "not ".repeat(50_000), ")".repeat(1000)] {
            assert!(Expression::parse(&text).is_err());
        }
        let long = vec!["agentConnected exists"; 10_000].join(" and ");
        assert!(Expression::parse(&long).unwrap().matches(&t2()));
    }

    /// Prints a tree as an expression, parenthesising nested chains and quoting values that would
    /// not come back as a single word.
    fn render(node: &Node) -> String {
        let join = |nodes: &[Node], sep: &str| nodes.iter().map(grouped).collect::<Vec<_>>().join(sep);
        match node {
            Node::Any(nodes) => join(nodes, " or "),
            Node::All(nodes) => join(nodes, " && "),
            Node::Not(node) => format!("not {}", grouped(node)),
            Node::Compare { field, test, negated } => {
                let neg = |positive: &'static str, negative| if *negated { negative } else { positive };
                let (op, arg) = match test {
                    Test::Exists => (neg("exists", "!exists"), String::new()),
                    Test::Equals(v) => (neg("==", "!="), quote(v)),
                    Test::Order(op, v) => (symbol_of(*op), quote(v)),
                    Test::Matches(p) => (neg("=~", "!~"), quote(&p.source)),
                    Test::In(vs) => {
                        (neg("in", "!in"), format!("[{}]", vs.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")))
                    }
                };
                format!("{field} {op} {arg}").trim_end().to_owned()
            }
        }
    }

    fn grouped(node: &Node) -> String {
        match node {
            Node::Any(_) | Node::All(_) => format!("({})", render(node)),
            _ => render(node),
        }
    }

    fn symbol_of(op: Operator) -> &'static str {
        match op {
            Operator::Gt => ">",
            Operator::Ge => ">=",
            Operator::Lt => "<",
            _ => "<=",
        }
    }

    fn quote(value: &str) -> String {
        match tokenize(value) {
            Ok((tokens, _)) if matches!(tokens.as_slice(), [t] if t.kind == Kind::Word(value.into())) => value.into(),
            _ if value.contains('"') => format!("'{value}'"),
            _ => format!("\"{value}\""),
        }
    }

    fn field() -> impl Strategy<Value = Field> {
        prop_oneof![
            "[a-z][a-zA-Z0-9._/-]{0,10}".prop_map(Field::Attribute),
            Just(Field::AgentConnected),
            Just(Field::AgentVersion),
            Just(Field::Ec2InstanceId),
            Just(Field::RegisteredAt),
            Just(Field::RunningTasksCount),
            Just(Field::TaskGroup),
        ]
    }

    fn comparison() -> impl Strategy<Value = Node> {
        // A value holding both kinds of quote cannot be written: there are no escapes.
        let value = || {
            "[a-zA-Z0-9 .:_*!=<>~&|()\\[\\],'\"-]{0,8}"
                .prop_filter("one quote kind", |v| !v.contains('"') || !v.contains('\''))
        };
        let pattern = "[a-z0-9.]{1,4}\\*?(\\|[a-z0-9]{1,3})?";
        (field(), 0..Operator::WORDS.len(), value(), prop::collection::vec(value(), 1..4), pattern).prop_map(
            |(field, i, value, values, pattern)| {
                let op = Operator::WORDS[i].1;
                let test = match op {
                    Operator::Exists | Operator::NotExists => Test::Exists,
                    Operator::In | Operator::NotIn => Test::In(values),
                    Operator::Eq | Operator::Ne => Test::Equals(value),
                    Operator::Match | Operator::NotMatch => Test::Matches(compile_pattern(pattern).unwrap()),
                    _ => Test::Order(op, value),
                };
                Node::Compare { field, test, negated: op.negated() }
            },
        )
    }

    fn tree() -> impl Strategy<Value = Node> {
        comparison().prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::Any),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Node::All),
                inner.prop_map(|node| Node::Not(Box::new(node))),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
            let _ = Expression::parse(&text).map(|e| e.matches(&t2()));
        }

        #[test]
        fn operator_soup_never_panics(text in "([a-z:.]{1,6}|[ !=~<>&|()\\[\\],'\"]|and|or|not|in|exists|task:group){0,30}") {
            let _ = Expression::parse(&text).map(|e| (e.matches(&t2()), e.fields()));
        }

        #[test]
        fn rendered_trees_round_trip(node in tree()) {
            let text = render(&node);
            let parsed = Expression::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(&parsed.root, &node, "{}", text);
            let again = Expression::parse(parsed.source()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&again.root, &node);
            prop_assert_eq!(again.to_string(), text);
        }
    }
}
