//! CloudFormation's intrinsic functions, evaluated the way a stack creation would: `Ref`,
//! `Fn::Sub`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` (with the template's
//! `Conditions`: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`), `Fn::FindInMap`,
//! `Fn::GetAZs`, `Fn::Base64` and `Fn::ImportValue`, in their long forms (`{ "Ref": X }`) and
//! YAML short forms (`!Ref X`). A parameter takes its `--param` value or its `Default`; a pseudo
//! parameter its stand-in (`AWS::Region` us-east-1 unless `--param AWS::Region=...`); a
//! resource's `Ref` and attributes the names and ARNs of [`super::names`], which is what links a
//! service to its task definition and target group, a capacity provider to its group, a policy
//! to its scalable target. `AWS::NoValue` removes the key or item holding it. The result is
//! plain JSON.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use serde_yaml::Value as Yaml;

use super::names::Names;
use crate::scenario::diagnostics::suggestion;

/// What `Ref` and the other functions read: parameters, conditions, mappings and resources.
pub struct Scope<'a> {
    pub params: &'a BTreeMap<String, Value>,
    pub conditions: &'a BTreeMap<String, bool>,
    pub mappings: &'a Map<String, Value>,
    pub names: &'a Names,
    pub region: &'a str,
    /// `Fn::ImportValue` names met, for the scenario's notes.
    pub imports: std::cell::RefCell<Vec<String>>,
}

/// A problem at a path of the template (`Resources.Web.Properties.DesiredCount`).
pub type Problem = (String, String, Option<String>);

impl Scope<'_> {
    /// `node` (at `path`) with every function evaluated; `None` for `AWS::NoValue`.
    pub fn resolve(&self, node: &Yaml, path: &str, problems: &mut Vec<Problem>) -> Option<Value> {
        match node {
            Yaml::Null => Some(Value::Null),
            Yaml::Bool(b) => Some(Value::Bool(*b)),
            Yaml::Number(n) => Some(number(n)),
            Yaml::String(s) => Some(Value::String(s.clone())),
            Yaml::Sequence(items) => Some(Value::Array(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| self.resolve(item, &format!("{path}[{i}]"), problems))
                    .collect(),
            )),
            Yaml::Tagged(tagged) => {
                let tag = tagged.tag.to_string();
                let name = tag.trim_start_matches('!');
                let function =
                    if name == "Ref" || name == "Condition" { name.to_string() } else { format!("Fn::{name}") };
                self.function(&function, &tagged.value, path, problems)
            }
            Yaml::Mapping(map) => {
                if map.len() == 1 {
                    if let Some((Yaml::String(key), arg)) = map.iter().next() {
                        if key == "Ref" || key.starts_with("Fn::") {
                            return self.function(key, arg, path, problems);
                        }
                    }
                }
                let mut out = Map::new();
                for (key, value) in map {
                    let key = match key {
                        Yaml::String(s) => s.clone(),
                        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
                    };
                    let at = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    if let Some(v) = self.resolve(value, &at, problems) {
                        out.insert(key, v);
                    }
                }
                Some(Value::Object(out))
            }
        }
    }

    /// A function's argument: its problems are the property's (`path`), lists inside it unindexed.
    fn resolve_in(&self, arg: &Yaml, path: &str, problems: &mut Vec<Problem>) -> Option<Value> {
        match arg {
            Yaml::Sequence(items) => {
                Some(Value::Array(items.iter().filter_map(|item| self.resolve_in(item, path, problems)).collect()))
            }
            other => self.resolve(other, path, problems),
        }
    }

    /// One function call `name` with its argument `arg`.
    fn function(&self, name: &str, arg: &Yaml, path: &str, problems: &mut Vec<Problem>) -> Option<Value> {
        // A problem inside the arguments is reported alone, not again as a malformed call.
        let before = problems.len();
        macro_rules! fail {
            ($message:expr, $hint:expr $(,)?) => {{
                let hint: &str = &$hint;
                if problems.len() == before {
                    problems.push((path.to_string(), $message, (!hint.is_empty()).then(|| hint.to_string())));
                }
                Some(Value::Null)
            }};
        }
        match name {
            "Ref" => {
                let Yaml::String(target) = arg else {
                    return fail!("`Ref` takes the name of a parameter or a resource".into(), "write `!Ref Name`");
                };
                self.reference(target, path, problems)
            }
            "Condition" => {
                let Yaml::String(c) = arg else { return fail!("`Condition` takes a condition's name".into(), "") };
                match self.conditions.get(c) {
                    Some(b) => Some(Value::Bool(*b)),
                    None => fail!(format!("no condition named `{c}`"), "define it under `Conditions:`"),
                }
            }
            "Fn::GetAtt" => {
                let (resource, attribute) = match self.resolve_in(arg, path, problems)? {
                    Value::String(s) => match s.split_once('.') {
                        Some((r, a)) => (r.to_string(), a.to_string()),
                        None => {
                            return fail!(
                                format!("`{s}` is not `Resource.Attribute`"),
                                "write `!GetAtt Resource.Attribute`"
                            )
                        }
                    },
                    Value::Array(parts) if parts.len() == 2 => (text(&parts[0]), text(&parts[1])),
                    _ => {
                        return fail!(
                            "`Fn::GetAtt` takes [resource, attribute]".into(),
                            "write `!GetAtt Resource.Attribute`"
                        )
                    }
                };
                match self.names.attribute(&resource, &attribute) {
                    Some(v) => Some(Value::String(v)),
                    None => fail!(
                        format!("`Fn::GetAtt` names `{resource}`, which is not a resource of the template"),
                        &self.names.hint(&resource),
                    ),
                }
            }
            "Fn::Sub" => {
                let (template, vars) = match arg {
                    Yaml::String(s) => (s.clone(), Map::new()),
                    Yaml::Sequence(items) if items.len() == 2 => {
                        let Some(Value::String(s)) = self.resolve_in(&items[0], path, problems) else {
                            return fail!("`Fn::Sub` takes a string".into(), "write `!Sub 'text ${Name}'`");
                        };
                        let vars = match self.resolve_in(&items[1], path, problems) {
                            Some(Value::Object(m)) => m,
                            _ => Map::new(),
                        };
                        (s, vars)
                    }
                    _ => {
                        return fail!(
                            "`Fn::Sub` takes a string or [string, variables]".into(),
                            "write `!Sub 'text ${Name}'`"
                        )
                    }
                };
                Some(Value::String(self.substitute(&template, &vars, path, problems)))
            }
            "Fn::Join" => {
                let Some(Value::Array(parts)) = self.resolve_in(arg, path, problems) else {
                    return fail!("`Fn::Join` takes [delimiter, [values]]".into(), "write `!Join ['', [a, b]]`");
                };
                match parts.as_slice() {
                    [Value::String(delimiter), Value::Array(values)] => {
                        Some(Value::String(values.iter().map(text).collect::<Vec<_>>().join(delimiter)))
                    }
                    _ => fail!("`Fn::Join` takes [delimiter, [values]]".into(), "write `!Join ['', [a, b]]`"),
                }
            }
            "Fn::Select" => {
                let Some(Value::Array(parts)) = self.resolve_in(arg, path, problems) else {
                    return fail!("`Fn::Select` takes [index, [values]]".into(), "write `!Select [0, list]`");
                };
                let index = parts.first().map(text).and_then(|t| t.parse::<usize>().ok());
                match (index, parts.get(1)) {
                    (Some(i), Some(Value::Array(values))) if i < values.len() => Some(values[i].clone()),
                    (Some(i), Some(Value::Array(values))) => {
                        fail!(format!("`Fn::Select` index {i} is past the list's {} values", values.len()), "")
                    }
                    _ => fail!("`Fn::Select` takes [index, [values]]".into(), "write `!Select [0, list]`"),
                }
            }
            "Fn::Split" => {
                let Some(Value::Array(parts)) = self.resolve_in(arg, path, problems) else {
                    return fail!("`Fn::Split` takes [delimiter, string]".into(), "");
                };
                match parts.as_slice() {
                    [Value::String(d), Value::String(s)] => {
                        Some(Value::Array(s.split(d.as_str()).map(|p| Value::String(p.to_string())).collect()))
                    }
                    _ => fail!("`Fn::Split` takes [delimiter, string]".into(), ""),
                }
            }
            "Fn::If" => {
                let Yaml::Sequence(items) = arg else {
                    return fail!("`Fn::If` takes [condition, then, else]".into(), "");
                };
                let [Yaml::String(condition), then, otherwise] = items.as_slice() else {
                    return fail!("`Fn::If` takes [condition, then, else]".into(), "");
                };
                match self.conditions.get(condition) {
                    Some(true) => self.resolve_in(then, path, problems),
                    Some(false) => self.resolve_in(otherwise, path, problems),
                    None => fail!(format!("no condition named `{condition}`"), "define it under `Conditions:`"),
                }
            }
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => {
                Some(Value::Bool(self.condition(name, arg, path, problems)))
            }
            "Fn::FindInMap" => {
                let Some(Value::Array(keys)) = self.resolve_in(arg, path, problems) else {
                    return fail!("`Fn::FindInMap` takes [map, key, key]".into(), "");
                };
                let keys: Vec<String> = keys.iter().map(text).collect();
                let found = match keys.as_slice() {
                    [map, top, second] => self.mappings.get(map).and_then(|m| m.get(top)).and_then(|m| m.get(second)),
                    _ => None,
                };
                match found {
                    Some(v) => Some(v.clone()),
                    None => {
                        fail!(format!("`Fn::FindInMap` finds nothing at {}", keys.join(" / ")), "check `Mappings:`")
                    }
                }
            }
            "Fn::GetAZs" => {
                let region = match self.resolve_in(arg, path, problems) {
                    Some(Value::String(r)) if !r.is_empty() => r,
                    _ => self.region.to_string(),
                };
                Some(Value::Array(["a", "b", "c"].iter().map(|z| Value::String(format!("{region}{z}"))).collect()))
            }
            "Fn::Base64" => self.resolve_in(arg, path, problems),
            "Fn::ImportValue" => {
                let name = self.resolve_in(arg, path, problems).map(|v| text(&v)).unwrap_or_default();
                self.imports.borrow_mut().push(name.clone());
                Some(Value::String(format!("imported:{name}")))
            }
            "Fn::Length" => match self.resolve_in(arg, path, problems) {
                Some(Value::Array(items)) => Some(Value::from(items.len())),
                _ => fail!("`Fn::Length` takes a list".into(), ""),
            },
            "Fn::ToJsonString" => self.resolve_in(arg, path, problems).map(|v| Value::String(v.to_string())),
            "Fn::Cidr" | "Fn::Transform" => Some(Value::String(name.to_string())),
            other => fail!(
                format!("`{other}` is not a CloudFormation function ecsim evaluates"),
                "see the README's Importing CloudFormation"
            ),
        }
    }

    /// `Ref target`.
    fn reference(&self, target: &str, path: &str, problems: &mut Vec<Problem>) -> Option<Value> {
        if target == "AWS::NoValue" {
            return None;
        }
        if let Some(v) = self.params.get(target) {
            return Some(v.clone());
        }
        let pseudo = match target {
            "AWS::Region" => Some(self.region.to_string()),
            "AWS::AccountId" => Some(super::names::ACCOUNT.to_string()),
            "AWS::Partition" => Some("aws".to_string()),
            "AWS::URLSuffix" => Some("amazonaws.com".to_string()),
            "AWS::StackName" => Some(self.names.stack.clone()),
            "AWS::StackId" => Some(format!(
                "arn:aws:cloudformation:{}:{}:stack/{}/0",
                self.region,
                super::names::ACCOUNT,
                self.names.stack
            )),
            "AWS::NotificationARNs" => return Some(Value::Array(Vec::new())),
            _ => None,
        };
        if let Some(v) = pseudo {
            return Some(Value::String(v));
        }
        match self.names.reference(target) {
            Some(v) => Some(Value::String(v)),
            None => {
                let known = self.params.keys().chain(self.names.resources.keys()).map(String::as_str);
                problems.push((
                    path.to_string(),
                    format!("`Ref` names `{target}`, which is neither a parameter nor a resource of the template"),
                    Some(suggestion(target, known)),
                ));
                Some(Value::Null)
            }
        }
    }

    /// `Fn::Sub`'s `${Name}`, `${Resource.Attribute}` and `${!Literal}`.
    fn substitute(&self, template: &str, vars: &Map<String, Value>, path: &str, problems: &mut Vec<Problem>) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.get(name) {
                out.push_str(&text(v));
            } else if let Some((resource, attribute)) = name.split_once('.').filter(|_| !name.starts_with("AWS::")) {
                match self.names.attribute(resource, attribute) {
                    Some(v) => out.push_str(&v),
                    None => problems.push((
                        path.to_string(),
                        format!("`${{{name}}}` names `{resource}`, which is not a resource of the template"),
                        Some(self.names.hint(resource)),
                    )),
                }
            } else if let Some(v) = self.reference(name, path, problems) {
                out.push_str(&text(&v));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A condition function's truth.
    pub fn condition(&self, name: &str, arg: &Yaml, path: &str, problems: &mut Vec<Problem>) -> bool {
        let at = path.to_string();
        let items = |problems: &mut Vec<Problem>| match arg {
            Yaml::Sequence(items) => items.clone(),
            _ => {
                problems.push((at.clone(), format!("`{name}` takes a list"), None));
                Vec::new()
            }
        };
        let truth = |item: &Yaml, problems: &mut Vec<Problem>| match self.resolve_in(item, &at, problems) {
            Some(Value::Bool(b)) => b,
            Some(Value::String(s)) => s == "true",
            _ => false,
        };
        match name {
            "Fn::Equals" => {
                let list = items(problems);
                match list.as_slice() {
                    [a, b] => {
                        let a = self.resolve_in(a, &at, problems).map(|v| text(&v));
                        let b = self.resolve_in(b, &at, problems).map(|v| text(&v));
                        a == b
                    }
                    _ => {
                        problems.push((at.clone(), "`Fn::Equals` takes two values".into(), None));
                        false
                    }
                }
            }
            "Fn::Not" => !items(problems).first().is_some_and(|i| truth(i, problems)),
            "Fn::And" => items(problems).iter().all(|i| truth(i, problems)),
            "Fn::Or" => items(problems).iter().any(|i| truth(i, problems)),
            _ => truth(arg, problems),
        }
    }
}

/// A YAML number as JSON.
fn number(n: &serde_yaml::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
    }
}

/// A value as CloudFormation writes it into a string.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
