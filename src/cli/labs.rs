//! `ecsim labs` and `ecsim labs run NN`: the teaching labs of `scenarios/labs/`, embedded in the
//! binary at compile time so they run from any directory.
//!
//! A lab is a folder `scenarios/labs/NN-name/` holding `lab.yaml` (a scenario, or an experiment
//! for `ecsim sweep`), `README.md` (its first line is the lab's title) and the files `lab.yaml`
//! reads (a trace, an experiment's base). `labs run` writes the folder's files into a temporary
//! folder and runs `lab.yaml` from there, so relative paths resolve as they do in the repository:
//! a run's outputs are byte for byte those of `ecsim run scenarios/labs/NN-name/lab.yaml`, a
//! sweep's those of `ecsim sweep scenarios/labs/NN-name/lab.yaml` from the repository's root
//! (sweep.json names the files by their place in the repository).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{say, Failure};
use crate::output::RunOptions;
use crate::sweep::experiment;

/// One lab: its folder name, its files, and how it is run.
struct Lab {
    /// `NN-name`, the folder under `scenarios/labs/` and the default output folder under `out/`.
    id: &'static str,
    /// (file name, contents): `lab.yaml` and `README.md` first, then what `lab.yaml` reads.
    files: &'static [(&'static str, &'static str)],
    /// Run with `--explain-placement` (the lab's lesson is in its TASK_PLACEMENT events).
    explain_placement: bool,
}

/// The files of lab folder `$id`, embedded: `lab.yaml`, `README.md` and any others named.
macro_rules! lab {
    ($id:literal $(, $file:literal)* ; explain_placement: $explain:literal) => {
        Lab {
            id: $id,
            files: &[
                ("lab.yaml", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/labs/", $id, "/lab.yaml"))),
                ("README.md", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/labs/", $id, "/README.md"))),
                $(($file, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/labs/", $id, "/", $file))),)*
            ],
            explain_placement: $explain,
        }
    };
}

/// Every lab, in course order.
const LABS: &[Lab] = &[
    lab!("01-healing"; explain_placement: false),
    lab!("02-placement"; explain_placement: true),
    lab!("03-ports-and-enis"; explain_placement: false),
    lab!("04-capacity-providers"; explain_placement: false),
    lab!("05-cluster-scaling"; explain_placement: false),
    lab!("06-service-scaling"; explain_placement: false),
    lab!("07-rolling-deployments"; explain_placement: false),
    lab!("08-circuit-breaker"; explain_placement: false),
    lab!("09-az-outage"; explain_placement: false),
    lab!("10-load-balancer"; explain_placement: false),
    lab!("11-trace-replay", "alb-requestcount.csv"; explain_placement: false),
    lab!("12-cost", "base.yaml"; explain_placement: false),
    lab!("13-daemons-and-jobs"; explain_placement: false),
];

impl Lab {
    fn file(&self, name: &str) -> &'static str {
        self.files.iter().find(|(n, _)| *n == name).map_or("", |(_, text)| text)
    }

    /// The lab's number, `NN` of `NN-name`.
    fn number(&self) -> &'static str {
        self.id.split_once('-').map_or(self.id, |(n, _)| n)
    }

    fn name(&self) -> &'static str {
        self.id.split_once('-').map_or(self.id, |(_, n)| n)
    }

    /// The README's first line without its `#` and its `Lab NN:` prefix.
    fn title(&self) -> String {
        let first = self.file("README.md").lines().next().unwrap_or("");
        let title = first.trim_start_matches('#').trim();
        title.split_once(": ").map_or(title, |(_, rest)| rest).to_string()
    }

    /// An experiment (`ecsim sweep`) rather than a scenario (`ecsim run`).
    fn is_sweep(&self) -> bool {
        self.file("lab.yaml").lines().any(|l| l.starts_with("experiment:"))
    }

    /// The lab named by `key`: its number (`3`, `03`), its folder name or the name after the
    /// number.
    fn find(key: &str) -> Option<&'static Lab> {
        let key = key.trim();
        LABS.iter().find(|lab| {
            lab.id == key
                || lab.name() == key
                || key.parse::<u32>().is_ok_and(|n| lab.number().parse::<u32>().is_ok_and(|m| m == n))
        })
    }
}

#[derive(Args)]
pub struct LabsArgs {
    #[command(subcommand)]
    command: Option<LabsCommand>,
}

#[derive(Subcommand)]
enum LabsCommand {
    /// Run one lab: a scenario into out/NN-name (as `ecsim run`), or an experiment (as `ecsim
    /// sweep`).
    Run {
        /// The lab's number (`3` or `03`) or name (`03-ports-and-enis`, `ports-and-enis`).
        lab: String,
        /// Output folder [default: out/NN-name].
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `ecsim labs` lists the labs; `ecsim labs run NN` runs one.
pub fn labs(args: LabsArgs) -> Result<(), Failure> {
    match args.command {
        None => say(&listing()),
        Some(LabsCommand::Run { lab, out }) => {
            let Some(lab) = Lab::find(&lab) else {
                let known: Vec<&str> = LABS.iter().map(|l| l.id).collect();
                return Err(Failure::Other(anyhow::anyhow!(
                    "no lab `{lab}`: the labs are {} (`ecsim labs` lists them)",
                    known.join(", ")
                )));
            };
            run(lab, out.unwrap_or_else(|| Path::new("out").join(lab.id)))
        }
    }
}

/// One line per lab: number, name, title; then how to run one.
fn listing() -> String {
    let width = LABS.iter().map(|l| l.name().len()).max().unwrap_or(0);
    let mut text = String::new();
    for lab in LABS {
        let kind = if lab.is_sweep() { " (a sweep)" } else { "" };
        text.push_str(&format!("{}  {:width$}  {}{kind}\n", lab.number(), lab.name(), lab.title()));
    }
    text.push_str(
        "\nrun one with `ecsim labs run NN` (outputs in out/NN-name/); each lab's questions are in \
         scenarios/labs/NN-name/README.md\n",
    );
    text
}

fn run(lab: &Lab, out: PathBuf) -> Result<(), Failure> {
    let folder = tempfile::Builder::new()
        .prefix("ecsim-lab-")
        .tempdir()
        .map_err(|e| Failure::Other(anyhow::anyhow!("cannot make a temporary folder for the lab: {e}")))?;
    for (name, text) in lab.files {
        let path = folder.path().join(name);
        std::fs::write(&path, text)
            .map_err(|e| Failure::Other(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
    }
    let file = folder.path().join("lab.yaml");
    if lab.is_sweep() {
        let mut experiment = experiment::load(&file)?;
        // Named by their place in the repository, as `ecsim sweep scenarios/labs/NN/lab.yaml` names them.
        let repository = format!("scenarios/labs/{}", lab.id);
        let temporary = folder.path().display().to_string();
        experiment.file = format!("{repository}/lab.yaml");
        experiment.base_file = experiment.base_file.replacen(&temporary, &repository, 1);
        super::sweep::sweep_loaded(experiment, Some(out), None, None, (false, false))?;
    } else {
        let options = RunOptions { explain_placement: lab.explain_placement };
        super::run(&file, (None, None), Some(out), options, (&[], false))?;
    }
    say(&format!("\nthe lab's questions: scenarios/labs/{}/README.md\n", lab.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lab_has_a_title_and_is_found_by_number_and_name() {
        for lab in LABS {
            assert!(!lab.title().is_empty(), "{}: README.md starts with its title", lab.id);
            assert_eq!(Lab::find(lab.number()).map(|l| l.id), Some(lab.id));
            assert_eq!(Lab::find(lab.name()).map(|l| l.id), Some(lab.id));
            assert_eq!(Lab::find(lab.id).map(|l| l.id), Some(lab.id));
        }
        assert!(Lab::find("99").is_none());
    }
}
