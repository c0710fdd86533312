//! `--shard-from-env`: which shard of a sweep this process is, from the batch engine that started
//! it. Kubernetes Indexed Jobs and AWS Batch array jobs give a 0-based index but not the count,
//! which the job passes as `ECSIM_SHARDS`; Slurm gives both (its array may start at any number:
//! `SLURM_ARRAY_TASK_MIN` is taken as the first).

use crate::sweep::run::Shard;

/// The shard named by the environment.
pub fn from_env() -> Result<Shard, String> {
    from(&|name| std::env::var(name).ok())
}

/// The shard named by the variables `var` gives.
pub fn from(var: &dyn Fn(&str) -> Option<String>) -> Result<Shard, String> {
    let number = |name: &str| -> Result<Option<usize>, String> {
        var(name)
            .map(|v| v.trim().parse::<usize>().map_err(|_| format!("{name}={v} is not a whole number")))
            .transpose()
    };
    let count = || {
        number("ECSIM_SHARDS")?
            .ok_or_else(|| "set ECSIM_SHARDS to the number of shards (the job's completions or array size)".to_string())
    };
    let (index, count, from) = if let Some(i) = number("JOB_COMPLETION_INDEX")? {
        (i, count()?, "JOB_COMPLETION_INDEX")
    } else if let Some(i) = number("AWS_BATCH_JOB_ARRAY_INDEX")? {
        (i, count()?, "AWS_BATCH_JOB_ARRAY_INDEX")
    } else if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
        let first = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let n = number("SLURM_ARRAY_TASK_COUNT")?.ok_or("SLURM_ARRAY_TASK_COUNT is not set")?;
        (
            id.checked_sub(first).ok_or(format!("SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {first}"))?,
            n,
            "SLURM_ARRAY_TASK_ID",
        )
    } else {
        return Err("--shard-from-env: none of JOB_COMPLETION_INDEX (Kubernetes), AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) or SLURM_ARRAY_TASK_ID (Slurm) is set".into());
    };
    if count == 0 || index >= count {
        return Err(format!("{from} gives shard {index} (from 0) of {count}: the index must be below the count"));
    }
    Ok(Shard { index, count })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn each_batch_engine_names_its_shard() {
        let k8s = from(&env(&[("JOB_COMPLETION_INDEX", "2"), ("ECSIM_SHARDS", "4")]));
        assert_eq!(k8s, Ok(Shard { index: 2, count: 4 }));
        let batch = from(&env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "0"), ("ECSIM_SHARDS", "3")]));
        assert_eq!(batch, Ok(Shard { index: 0, count: 3 }));
        let slurm =
            from(&env(&[("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")]));
        assert_eq!(slurm, Ok(Shard { index: 3, count: 4 }));
    }

    #[test]
    fn missing_or_inconsistent_variables_are_explained() {
        assert!(from(&env(&[])).unwrap_err().contains("none of JOB_COMPLETION_INDEX"));
        assert!(from(&env(&[("JOB_COMPLETION_INDEX", "1")])).unwrap_err().contains("ECSIM_SHARDS"));
        assert!(from(&env(&[("JOB_COMPLETION_INDEX", "4"), ("ECSIM_SHARDS", "4")]))
            .unwrap_err()
            .contains("below the count"));
        assert!(from(&env(&[("JOB_COMPLETION_INDEX", "x")])).unwrap_err().contains("not a whole number"));
    }
}
