//! The deployment examples under deploy/: every `ecsim` command they hold is one the command line
//! accepts, names an experiment that exists, and each engine's files also merge the shards.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Parser as _;
use ecsim::cli::Cli;
use regex_lite::Regex;
use serde::Deserialize as _;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The words of a command as the engine would pass them, with its environment placeholders
/// (`$(NAME)`, `${NAME}`, `$NAME`) set to 0. The commands are unquoted, so spaces split them.
fn words(command: &str) -> Vec<String> {
    let placeholder = Regex::new(r"\$\(\w+\)|\$\{\w+\}|\$\w+").unwrap();
    let command = placeholder.replace_all(command, "0");
    assert!(!command.contains(['"', '\'', '\\']), "keep ecsim commands unquoted so they split on spaces: {command}");
    command.split_whitespace().map(str::to_string).collect()
}

/// `ecsim sweep ...` and `ecsim merge ...` in a shell script (comments included), up to the end
/// of the line or of the quoted string holding it; `\` continuations are joined first.
fn script_commands(text: &str) -> Vec<String> {
    let joined = text.replace("\\\n", " ");
    let command = Regex::new(r#"\becsim (?:sweep|merge)\b[^"'\n]*"#).unwrap();
    command.find_iter(&joined).map(|m| m.as_str().trim().to_string()).collect()
}

/// Checks every command of `file`: it parses, and the experiment it names exists. Returns how
/// many were sweeps and how many merges.
fn check(file: &str, commands: &[String]) -> (usize, usize) {
    let (mut sweeps, mut merges) = (0, 0);
    for command in commands {
        let words = words(command);
        if let Err(e) = Cli::try_parse_from(&words) {
            panic!("{file}: `{command}` is not an ecsim command line:\n{e}");
        }
        match words[1].as_str() {
            "sweep" => {
                sweeps += 1;
                let experiment = Path::new(&words[2]);
                assert!(
                    root().join(experiment).is_file(),
                    "{file}: `{command}` names {}, not in the repository",
                    experiment.display()
                );
            }
            "merge" => merges += 1,
            _ => {}
        }
        if let Some(i) = words.iter().position(|w| w == "--experiment") {
            assert!(
                root().join(&words[i + 1]).is_file(),
                "{file}: `{command}` names {}, not in the repository",
                words[i + 1]
            );
        }
    }
    (sweeps, merges)
}

/// The environment variable `name` of a Kubernetes container or an AWS Batch container's.
fn env_value<'a>(env: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    env.as_array()?.iter().find(|e| e["name"] == name)?["value"].as_str()
}

#[test]
fn the_kubernetes_indexed_job_runs_one_shard_per_completion_then_merges() {
    let file = "deploy/kubernetes/indexed-job.yaml";
    let text = read(file);
    let docs: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(&text)
        .map(|d| {
            let yaml = serde_yaml::Value::deserialize(d).unwrap_or_else(|e| panic!("{file}: {e}"));
            serde_json::to_value(yaml).unwrap()
        })
        .collect();
    let jobs: Vec<&serde_json::Value> = docs.iter().filter(|d| d["kind"] == "Job").collect();
    let mut commands = Vec::new();
    for job in &jobs {
        let spec = &job["spec"];
        assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never", "{file}: {}", job["metadata"]["name"]);
        for container in spec["template"]["spec"]["containers"].as_array().unwrap() {
            let argv: Vec<&str> = ["command", "args"]
                .iter()
                .flat_map(|k| container[*k].as_array().into_iter().flatten())
                .map(|w| w.as_str().unwrap())
                .collect();
            let command = argv.join(" ");
            if command.contains("sweep") {
                assert_eq!(spec["completionMode"], "Indexed", "{file}: the sweep Job must be Indexed");
                let completions = spec["completions"].as_u64().unwrap();
                assert_eq!(spec["parallelism"].as_u64(), Some(completions), "{file}: parallelism = completions");
                assert_eq!(
                    env_value(&container["env"], "ECSIM_SHARDS"),
                    Some(completions.to_string().as_str()),
                    "{file}: ECSIM_SHARDS must equal completions"
                );
            }
            commands.push(command);
        }
    }
    assert_eq!(check(file, &commands), (1, 1), "{file}: one sweep Job and one merge Job");
}

#[test]
fn the_aws_batch_array_job_runs_one_shard_per_child_then_merges() {
    let file = "deploy/aws-batch/job-definition.json";
    let definition: serde_json::Value = serde_json::from_str(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let container = &definition["containerProperties"];
    let argv: Vec<&str> = container["command"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert_eq!(argv[..2], ["sh", "-c"], "{file}: ${{AWS_BATCH_JOB_ARRAY_INDEX}} needs a shell to expand it");
    let shards = env_value(&container["environment"], "ECSIM_SHARDS").expect("ECSIM_SHARDS in the job definition");
    assert_eq!(check(file, &[argv[2].to_string()]), (1, 0), "{file}: the command is the sweep");

    let submit = "deploy/aws-batch/submit.sh";
    let script = read(submit);
    assert!(script
        .contains("aws batch register-job-definition --cli-input-json file://deploy/aws-batch/job-definition.json"));
    assert!(
        script.contains(&format!("\nSHARDS={shards}\n")),
        "{submit}: SHARDS must equal the definition's ECSIM_SHARDS ({shards})"
    );
    assert!(script.contains("--array-properties size=$SHARDS"), "{submit}: the array's size is SHARDS");
    assert_eq!(check(submit, &script_commands(&script)), (0, 1), "{submit}: the dependent job merges");
}

#[test]
fn the_slurm_array_runs_one_shard_per_task_then_merges() {
    let file = "deploy/slurm/sweep.sbatch";
    let script = read(file);
    assert!(script.contains("\n#SBATCH --array=0-3\n"), "{file}");
    assert!(script.contains("--dependency=afterok:"), "{file}: the merge waits for the array");
    assert_eq!(check(file, &script_commands(&script)), (1, 1), "{file}: the array's sweep and the merge");
}
