//! Fargate task sizes and prices.
//!
//! Fargate only accepts fixed (CPU, memory) pairs and rejects everything else at registration
//! \[DG23:AWS Fargate; DG23:Invalid CPU or memory value], so scenario validation checks sizes here
//! and offers the nearest valid ones. Sizes are the Linux table of `docs/aws-behaviour.md` §2.1
//! (Windows additionally needs >= 1 vCPU and is not modelled); "GB" there means 1024 MiB.
//! Prices are §2.4, us-east-1.

/// The memory a CPU value accepts: the small sizes are an irregular list, the others a range in
/// fixed steps, exactly as the AWS table states them.
enum MemoryChoice {
    List(&'static [u32]),
    Steps { first_mib: u32, last_mib: u32, step_mib: u32 },
}

impl MemoryChoice {
    fn allows(&self, memory_mib: u32) -> bool {
        match *self {
            MemoryChoice::List(values) => values.contains(&memory_mib),
            MemoryChoice::Steps { first_mib, last_mib, step_mib } => {
                (first_mib..=last_mib).contains(&memory_mib) && (memory_mib - first_mib) % step_mib == 0
            }
        }
    }

    fn options(&self) -> Vec<u32> {
        match *self {
            MemoryChoice::List(values) => values.to_vec(),
            MemoryChoice::Steps { first_mib, last_mib, step_mib } => {
                (first_mib..=last_mib).step_by(step_mib as usize).collect()
            }
        }
    }
}

const GB: u32 = 1024;

const fn gb_steps(first_gb: u32, last_gb: u32, step_gb: u32) -> MemoryChoice {
    MemoryChoice::Steps { first_mib: first_gb * GB, last_mib: last_gb * GB, step_mib: step_gb * GB }
}

/// §2.1, one row per CPU value, in ascending CPU order \[DG23:AWS Fargate]. 8 and 16 vCPU need
/// platform version >= 1.4.0, which the simulator assumes.
static SIZES: &[(u32, MemoryChoice)] = &[
    (256, MemoryChoice::List(&[512, GB, 2 * GB])),
    (512, gb_steps(1, 4, 1)),
    (1024, gb_steps(2, 8, 1)),
    (2048, gb_steps(4, 16, 1)),
    (4096, gb_steps(8, 30, 1)),
    (8192, gb_steps(16, 60, 4)),
    (16384, gb_steps(32, 120, 8)),
];

static CPU_OPTIONS: &[u32] = &[256, 512, 1024, 2048, 4096, 8192, 16384];

fn memory_choice(cpu: u32) -> Option<&'static MemoryChoice> {
    SIZES.iter().find(|(c, _)| *c == cpu).map(|(_, memory)| memory)
}

/// Whether (cpu units, memory MiB) is a valid Fargate Linux task size (§2.1). Anything else AWS
/// rejects when the task definition is registered, so the simulator refuses it up front.
pub fn is_valid_size(cpu: u32, memory_mib: u32) -> bool {
    memory_choice(cpu).is_some_and(|memory| memory.allows(memory_mib))
}

/// The valid memory values (MiB, ascending) for a CPU value, or None if the CPU value itself is
/// invalid — so an error can say "512 CPU takes 1024, 2048, 3072 or 4096 MiB".
pub fn memory_options(cpu: u32) -> Option<Vec<u32>> {
    memory_choice(cpu).map(MemoryChoice::options)
}

/// The CPU values Fargate accepts, ascending: 256, 512, 1024, 2048, 4096, 8192, 16384.
pub fn cpu_options() -> &'static [u32] {
    CPU_OPTIONS
}

/// Every valid size, ascending by (cpu, memory).
fn all_sizes() -> impl Iterator<Item = (u32, u32)> {
    SIZES.iter().flat_map(|(cpu, memory)| memory.options().into_iter().map(move |memory_mib| (*cpu, memory_mib)))
}

/// Up to three valid sizes nearest to a requested one, nearest first, for an error hint.
///
/// Sizes that fit the request (cpu >= asked and memory >= asked) come first, smallest first by
/// (cpu, then memory): rounding up is what a user usually wants, and the smallest fit is the
/// cheapest. If fewer than three fit (the request is at or beyond the top of the table), the
/// list is filled with sizes that fall short, ordered by CPU shortfall, then memory shortfall,
/// then ascending (cpu, memory) — so a request for more than 16 vCPU suggests the 16 vCPU sizes
/// that cover its memory. A valid request comes back as its own first entry. The order is total,
/// so the result is deterministic.
pub fn nearest_valid_sizes(cpu: u32, memory_mib: u32) -> Vec<(u32, u32)> {
    let (fitting, mut short): (Vec<_>, Vec<_>) = all_sizes().partition(|&(c, m)| c >= cpu && m >= memory_mib);
    // `all_sizes` is ascending by (cpu, memory), so `fitting` already is too.
    short.sort_unstable_by_key(|&(c, m)| (cpu.saturating_sub(c), memory_mib.saturating_sub(m), c, m));
    fitting.into_iter().chain(short).take(3).collect()
}

/// Formats a size the way the AWS console does ("0.5 vCPU / 1 GB"), so hints read like what users
/// see in AWS. Memory that is not a whole number of GB is shown in MiB ("0.25 vCPU / 512 MiB").
pub fn describe_size(cpu: u32, memory_mib: u32) -> String {
    // cpu / 1024 is a binary fraction, so f64 holds it exactly and prints it without noise.
    let vcpu = f64::from(cpu) / f64::from(GB);
    if memory_mib > 0 && memory_mib % GB == 0 {
        format!("{vcpu} vCPU / {} GB", memory_mib / GB)
    } else {
        format!("{vcpu} vCPU / {memory_mib} MiB")
    }
}

/// Fargate on-demand prices for one architecture, USD. Fargate bills the task's configured size,
/// not what it uses, per vCPU-hour and per GB-hour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FargatePrices {
    pub vcpu_hour: f64,
    pub gb_hour: f64,
}

impl FargatePrices {
    /// USD per hour for a task of `cpu` units and `memory_mib`, counting 1 GB as 1024 MiB as the
    /// size table does.
    pub fn hourly_price(&self, cpu: u32, memory_mib: u32) -> f64 {
        self.vcpu_hour * f64::from(cpu) / f64::from(GB) + self.gb_hour * f64::from(memory_mib) / f64::from(GB)
    }
}

/// Linux/x86_64, us-east-1, §2.4: as quoted by vantage.sh, wring.co (March 2026) and fortem.dev
/// ("verified June 2026"). A dated snapshot; AWS publishes no machine-readable archive of it.
pub const FARGATE_X86: FargatePrices = FargatePrices { vcpu_hour: 0.04048, gb_hour: 0.004445 };

/// Linux/ARM64 (Graviton), us-east-1, §2.4: same sources and dates as [`FARGATE_X86`].
pub const FARGATE_ARM: FargatePrices = FargatePrices { vcpu_hour: 0.03238, gb_hour: 0.00356 };

/// Fargate Spot discount: price = on-demand x (1 - 0.70). **UNVERIFIED**: AWS only says "up to
/// 70%" off and Spot prices vary (typically 50-70%; §2.4, tomgregory.com); there is no live Spot
/// table, so this takes the advertised maximum.
pub const FARGATE_SPOT_DISCOUNT: f64 = 0.70;

/// Fargate bills per second with a one-minute minimum (§2.4; vantage.sh, wring.co), so a task
/// that dies at once still costs a minute.
pub const FARGATE_MINIMUM_BILLED_SECONDS: u64 = 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_sizes() {
        for (cpu, memory) in [(256, 512), (256, 2048), (512, 4096), (4096, 30720), (16384, 122880)] {
            assert!(is_valid_size(cpu, memory), "{cpu}/{memory} should be valid");
        }
    }

    #[test]
    fn invalid_sizes() {
        for (cpu, memory) in [
            (256, 4096),
            (512, 512),
            (8192, 18432), // 16-60 GB in 4 GB steps: 18 GB is not one
            (300, 1024),
            (256, 1536),
            (16384, 24576),
            (0, 0),
        ] {
            assert!(!is_valid_size(cpu, memory), "{cpu}/{memory} should be invalid");
        }
    }

    #[test]
    fn memory_options_per_cpu() {
        assert_eq!(memory_options(256), Some(vec![512, 1024, 2048]));
        assert_eq!(memory_options(512), Some(vec![1024, 2048, 3072, 4096]));
        assert_eq!(memory_options(300), None);
        let eight = memory_options(8192).unwrap_or_default();
        assert_eq!(eight.first(), Some(&16384));
        assert_eq!(eight.last(), Some(&61440));
        assert_eq!(eight.len(), 12);
        assert_eq!(memory_options(4096).map(|m| m.len()), Some(23));
    }

    #[test]
    fn cpu_options_match_table() {
        let table: Vec<u32> = SIZES.iter().map(|(cpu, _)| *cpu).collect();
        assert_eq!(cpu_options(), table.as_slice());
        for &cpu in cpu_options() {
            for memory in memory_options(cpu).unwrap_or_default() {
                assert!(is_valid_size(cpu, memory));
            }
        }
        assert_eq!(all_sizes().count(), 3 + 4 + 7 + 13 + 23 + 12 + 12);
    }

    #[test]
    fn nearest_rounds_up() {
        assert_eq!(nearest_valid_sizes(256, 4096), vec![(512, 4096), (1024, 4096), (1024, 5120)]);
        assert_eq!(nearest_valid_sizes(300, 1024).first(), Some(&(512, 1024)));
        assert_eq!(nearest_valid_sizes(256, 512).first(), Some(&(256, 512)));
    }

    #[test]
    fn nearest_fills_up_beyond_the_table() {
        assert_eq!(nearest_valid_sizes(16384, 122880), vec![(16384, 122880), (16384, 114688), (16384, 106496)]);
        assert_eq!(nearest_valid_sizes(32768, 8192), vec![(16384, 32768), (16384, 40960), (16384, 49152)]);
        assert_eq!(nearest_valid_sizes(u32::MAX, u32::MAX), vec![(16384, 122880), (16384, 114688), (16384, 106496)]);
    }

    #[test]
    fn nearest_is_always_valid_and_short() {
        let requests = [0, 1, 256, 300, 512, 1000, 4096, 8192, 9000, 16384, 20000, u32::MAX];
        let memories = [0, 1, 512, 1024, 1500, 18432, 30720, 61440, 100_000, 122880, 200_000];
        for cpu in requests {
            for memory in memories {
                let hints = nearest_valid_sizes(cpu, memory);
                assert!(!hints.is_empty() && hints.len() <= 3, "{cpu}/{memory}: {hints:?}");
                for (c, m) in &hints {
                    assert!(is_valid_size(*c, *m), "{cpu}/{memory} suggested {c}/{m}");
                }
                assert_eq!(hints, nearest_valid_sizes(cpu, memory), "deterministic");
            }
        }
    }

    #[test]
    fn describe_like_the_console() {
        assert_eq!(describe_size(512, 1024), "0.5 vCPU / 1 GB");
        assert_eq!(describe_size(256, 512), "0.25 vCPU / 512 MiB");
        assert_eq!(describe_size(1024, 2048), "1 vCPU / 2 GB");
        assert_eq!(describe_size(16384, 122880), "16 vCPU / 120 GB");
    }

    #[test]
    fn prices() {
        // 1 vCPU / 2 GB, x86: 0.04048 + 2 * 0.004445 = 0.04937 per hour.
        let hourly = FARGATE_X86.hourly_price(1024, 2048);
        assert!((hourly - 0.04937).abs() < 1e-12, "{hourly}");
        // Same size on ARM: 0.03238 + 2 * 0.00356 = 0.0395.
        let arm = FARGATE_ARM.hourly_price(1024, 2048);
        assert!((arm - 0.0395).abs() < 1e-12, "{arm}");
        let spot = hourly * (1.0 - FARGATE_SPOT_DISCOUNT);
        assert!((spot - 0.014811).abs() < 1e-9, "{spot}");
        assert_eq!(FARGATE_MINIMUM_BILLED_SECONDS, 60);
    }
}
