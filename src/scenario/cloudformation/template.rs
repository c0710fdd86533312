//! A CloudFormation template read as a stack creation would: parameters bound (`--param` values,
//! else their `Default`; a parameter with neither is an error), conditions evaluated, every
//! resource's name known, and each resource's `Properties` with their intrinsic functions
//! evaluated into plain JSON ([`super::intrinsics`]). Resources whose `Condition` is false are
//! set aside, as CloudFormation would not create them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use serde_yaml::Value as Yaml;

use super::intrinsics::{Problem, Scope};
use super::names::{physical_name, Named, Names};

/// One resource of the template, its properties evaluated.
#[derive(Debug)]
pub struct Resource {
    pub id: String,
    pub kind: String,
    pub properties: Value,
}

/// The template, evaluated.
#[derive(Debug)]
pub struct Template {
    pub resources: Vec<Resource>,
    pub names: Names,
    /// Parameters and the values they took, with where each came from (`default`, `--param`).
    pub parameters: Vec<(String, String, &'static str)>,
    /// Resources not created because their condition is false.
    pub skipped: Vec<(String, String, String)>,
    /// `Fn::ImportValue` names, which ecsim cannot look up.
    pub imports: Vec<String>,
}

/// Evaluates `doc` (the parsed template) with `params` (`--param K=V`) in `region`.
pub fn evaluate(doc: &Yaml, stack: &str, params: &[(String, String)], region: &str) -> Result<Template, Vec<Problem>> {
    let mut problems = Vec::new();
    let section = |name: &str| doc.get(name).and_then(Yaml::as_mapping).cloned().unwrap_or_default();
    let (declared, resources_yaml) = (section("Parameters"), section("Resources"));
    if resources_yaml.is_empty() {
        return Err(vec![(
            "Resources".into(),
            "the template has no `Resources`".into(),
            Some("a CloudFormation template lists what it creates under `Resources:`".into()),
        )]);
    }
    // Parameters: --param, else Default.
    let mut values = BTreeMap::new();
    let mut parameters = Vec::new();
    for (key, spec) in &declared {
        let Some(name) = key.as_str() else { continue };
        let given = params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let (raw, source) = match (given, spec.get("Default")) {
            (Some(v), _) => (v, "--param"),
            (None, Some(d)) => (scalar_text(d), "default"),
            (None, None) => {
                problems.push((
                    format!("Parameters.{name}"),
                    format!("parameter `{name}` has no `Default`"),
                    Some(format!("give it a value: `--param {name}=VALUE`")),
                ));
                // Known all the same, so that its `Ref`s are not reported too.
                values.insert(name.to_string(), Value::Null);
                continue;
            }
        };
        let kind = spec.get("Type").and_then(Yaml::as_str).unwrap_or("String");
        let allowed: Vec<String> =
            spec.get("AllowedValues").and_then(Yaml::as_sequence).into_iter().flatten().map(scalar_text).collect();
        if kind == "Number" && raw.trim().parse::<f64>().is_err() {
            problems.push((
                format!("Parameters.{name}"),
                format!("parameter `{name}` is a Number: `{raw}` ({source}) is not one"),
                Some(format!("give a number: `--param {name}=3`")),
            ));
        } else if !allowed.is_empty() && !allowed.contains(&raw) {
            problems.push((
                format!("Parameters.{name}"),
                format!("`{raw}` ({source}) is not one of parameter `{name}`'s AllowedValues"),
                Some(format!("one of: {}", allowed.join(", "))),
            ));
        }
        values.insert(name.to_string(), typed_parameter(kind, &raw));
        parameters.push((name.to_string(), raw, source));
    }
    for (k, _) in params {
        if !declared.contains_key(k.as_str()) && k != "AWS::Region" {
            let names: Vec<&str> = declared.keys().filter_map(Yaml::as_str).collect();
            problems.push((
                "Parameters".into(),
                format!("`--param {k}=...` names no parameter of the template"),
                Some(crate::scenario::diagnostics::suggestion(k, names)),
            ));
        }
    }
    let mappings = match resolve_plain(&section("Mappings")) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    // Names first, from properties evaluated without resource references.
    let empty = Names { stack: stack.to_string(), region: region.to_string(), ..Names::default() };
    let mut names = Names { stack: stack.to_string(), region: region.to_string(), ..Names::default() };
    let conditions = conditions(doc, &values, &mappings, &empty, region, &mut problems);
    {
        let scope = scope(&values, &conditions, &mappings, &empty, region);
        for (key, body) in &resources_yaml {
            let Some(id) = key.as_str() else { continue };
            let kind = body.get("Type").and_then(Yaml::as_str).unwrap_or_default().to_string();
            let properties = body.get("Properties").and_then(|p| scope.resolve(p, "", &mut Vec::new()));
            let cluster = properties
                .as_ref()
                .and_then(|p| p.get("Cluster"))
                .and_then(Value::as_str)
                .unwrap_or("default")
                .to_string();
            let name = physical_name(&kind, id, properties.as_ref());
            names.resources.insert(id.to_string(), Named { kind, name, cluster });
        }
    }
    // Clusters named by `Ref` resolve to their names only now: fix services' clusters.
    let clusters: BTreeMap<String, String> = names
        .resources
        .iter()
        .filter(|(_, r)| r.kind == "AWS::ECS::Cluster")
        .map(|(id, r)| (id.clone(), r.name.clone()))
        .collect();
    for (key, body) in &resources_yaml {
        let cluster_ref = body.get("Properties").and_then(|p| p.get("Cluster")).and_then(ref_target);
        if let (Some(id), Some(target)) = (key.as_str(), cluster_ref) {
            if let (Some(name), Some(r)) = (clusters.get(&target), names.resources.get_mut(id)) {
                r.cluster = name.clone();
            }
        }
    }
    let scope = scope(&values, &conditions, &mappings, &names, region);
    let mut resources = Vec::new();
    let mut skipped = Vec::new();
    for (key, body) in &resources_yaml {
        let Some(id) = key.as_str() else { continue };
        let kind = body.get("Type").and_then(Yaml::as_str).unwrap_or_default().to_string();
        if kind.is_empty() {
            problems.push((
                format!("Resources.{id}"),
                format!("resource `{id}` has no `Type`"),
                Some("every resource names its type, e.g. `Type: AWS::ECS::Service`".into()),
            ));
            continue;
        }
        if let Some(condition) = body.get("Condition").and_then(Yaml::as_str) {
            if !conditions.get(condition).copied().unwrap_or(true) {
                skipped.push((id.to_string(), kind, condition.to_string()));
                continue;
            }
        }
        let path = format!("Resources.{id}.Properties");
        let properties = match body.get("Properties") {
            Some(p) => scope.resolve(p, &path, &mut problems).unwrap_or(Value::Null),
            None => Value::Object(Map::new()),
        };
        resources.push(Resource { id: id.to_string(), kind, properties });
    }
    let imports = scope.imports.borrow().clone();
    if problems.is_empty() {
        Ok(Template { resources, names, parameters, skipped, imports })
    } else {
        Err(problems)
    }
}

fn scope<'a>(
    params: &'a BTreeMap<String, Value>,
    conditions: &'a BTreeMap<String, bool>,
    mappings: &'a Map<String, Value>,
    names: &'a Names,
    region: &'a str,
) -> Scope<'a> {
    Scope { params, conditions, mappings, names, region, imports: Default::default() }
}

/// The template's `Conditions`, each evaluated (one may name another, in any order).
fn conditions(
    doc: &Yaml,
    params: &BTreeMap<String, Value>,
    mappings: &Map<String, Value>,
    names: &Names,
    region: &str,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, bool> {
    let declared = doc.get("Conditions").and_then(Yaml::as_mapping).cloned().unwrap_or_default();
    let mut truth: BTreeMap<String, bool> = BTreeMap::new();
    // Each pass settles at least one more level of conditions naming conditions.
    for pass in 0..=declared.len() {
        let mut found = Vec::new();
        let mut next = BTreeMap::new();
        for (key, body) in &declared {
            let Some(name) = key.as_str() else { continue };
            let scope = scope(params, &truth, mappings, names, region);
            let (function, arg) = match body {
                Yaml::Tagged(t) => (format!("Fn::{}", t.tag.to_string().trim_start_matches('!')), t.value.clone()),
                Yaml::Mapping(m) if m.len() == 1 => {
                    let (k, v) = m.iter().next().expect("one entry");
                    (k.as_str().unwrap_or_default().to_string(), v.clone())
                }
                _ => (String::new(), body.clone()),
            };
            let function = if function == "Fn::Condition" { "Condition".to_string() } else { function };
            let value = match function.as_str() {
                "Condition" => arg.as_str().and_then(|c| truth.get(c).copied()).unwrap_or(false),
                _ => scope.condition(&function, &arg, &format!("Conditions.{name}"), &mut found),
            };
            next.insert(name.to_string(), value);
        }
        let settled = next == truth;
        truth = next;
        if settled || pass == declared.len() {
            problems.extend(found);
            break;
        }
    }
    truth
}

/// `!Ref X` or `{ Ref: X }`'s target.
fn ref_target(node: &Yaml) -> Option<String> {
    match node {
        Yaml::Tagged(t) if t.tag == "Ref" => t.value.as_str().map(str::to_string),
        Yaml::Mapping(m) => m.get("Ref").and_then(Yaml::as_str).map(str::to_string),
        _ => None,
    }
}

/// A parameter's value as its type makes it: numbers for `Number`, lists for list types.
fn typed_parameter(kind: &str, raw: &str) -> Value {
    if kind == "Number" {
        if let Ok(i) = raw.trim().parse::<i64>() {
            return Value::from(i);
        }
        if let Some(n) = raw.trim().parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    if kind.starts_with("List<") || kind == "CommaDelimitedList" {
        return Value::Array(raw.split(',').map(|s| Value::String(s.trim().to_string())).collect());
    }
    Value::String(raw.to_string())
}

fn scalar_text(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Sequence(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

/// A section without functions (`Mappings`) as JSON.
fn resolve_plain(m: &serde_yaml::Mapping) -> Value {
    serde_json::to_value(m).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(template: &str, params: &[(&str, &str)]) -> Result<Value, Vec<Problem>> {
        let doc: Yaml = serde_yaml::from_str(template).unwrap();
        let params: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let t = evaluate(&doc, "stack", &params, "us-east-1")?;
        Ok(t.resources.into_iter().find(|r| r.id == "R").map(|r| r.properties).unwrap())
    }

    const TEMPLATE: &str = r#"
Parameters:
  Env: { Type: String, Default: prod }
  Sizes: { Type: CommaDelimitedList, Default: "small,large" }
Mappings:
  Counts: { prod: { web: 6 }, test: { web: 1 } }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsTest: !Not [!Condition IsProd]
  Either: !Or [!Condition IsProd, !Condition IsTest]
  Both: !And [!Condition IsProd, !Condition IsTest]
Resources:
  Other: { Type: AWS::ECS::Cluster, Properties: { ClusterName: !Sub "${Env}-c" } }
  Skipped: { Type: AWS::ECS::Cluster, Condition: IsTest }
  R:
    Type: AWS::Custom::Thing
    Properties:
      Literal: !Sub "${!NotAVariable}-${AWS::Region}-${Env}"
      WithVars: !Sub ["${A}/${Other}", { A: x }]
      Picked: !Select [1, !Ref Sizes]
      Split: !Split [",", "a,b,c"]
      Mapped: !FindInMap [Counts, !Ref Env, web]
      Gone: !If [IsProd, !Ref AWS::NoValue, kept]
      Listed: [one, !If [IsTest, two, !Ref AWS::NoValue], three]
      Flags: [!If [Either, yes, no], !If [Both, yes, no]]
      Long: { "Fn::Join": ["-", [{ "Ref": "Env" }, { "Fn::GetAtt": ["Other", "Arn"] }]] }
"#;

    #[test]
    fn functions_evaluate_as_a_stack_creation_would() {
        let p = props(TEMPLATE, &[]).unwrap();
        assert_eq!(p["Literal"], "${NotAVariable}-us-east-1-prod");
        assert_eq!(p["WithVars"], "x/prod-c", "a cluster's Ref is its name");
        assert_eq!(p["Picked"], "large");
        assert_eq!(p["Split"], serde_json::json!(["a", "b", "c"]));
        assert_eq!(p["Mapped"], 6);
        assert!(p.get("Gone").is_none(), "AWS::NoValue removes the key");
        assert_eq!(p["Listed"], serde_json::json!(["one", "three"]));
        assert_eq!(p["Flags"], serde_json::json!(["yes", "no"]));
        assert_eq!(p["Long"], "prod-arn:aws:ecs:us-east-1:123456789012:cluster/prod-c");
        let test = props(TEMPLATE, &[("Env", "test")]).unwrap();
        assert_eq!((test["Mapped"].clone(), test["Gone"].clone()), (1.into(), "kept".into()));
        assert_eq!(test["Listed"], serde_json::json!(["one", "two", "three"]));
    }

    #[test]
    fn unknown_names_are_problems_at_their_paths() {
        let bad = TEMPLATE.replace("!Ref Sizes", "!Ref Size").replace("[Counts,", "[Count,");
        let problems = props(&bad, &[]).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(paths, ["Resources.R.Properties.Picked", "Resources.R.Properties.Mapped"], "{problems:?}");
        assert_eq!(problems[0].2.as_deref(), Some("did you mean `Sizes`?"), "parameters are candidates too");
    }
}
