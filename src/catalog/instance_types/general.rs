//! General purpose types: m4 (previous generation, Xen), m5, m6i, m7i (Intel), m6g, m7g (Graviton),
//! large through 4xlarge, plus medium where the family has it (m6g, m7g).
//!
//! Sources: vCPU and memory, EC2 specs (4 GiB per vCPU throughout); ENIs and IPv4/ENI \[CNI]
//! (Nitro sizes share one pattern: medium 2 x 4, large 3 x 10, xlarge and 2xlarge 4 x 15, 4xlarge
//! 8 x 30; m4.large has only 2 ENIs); trunked task limits \[DG23:Elastic network interface trunking]
//! (large 10, xlarge 20, 2xlarge 40, 4xlarge 60; the mediums' 4 is **UNVERIFIED**, recalled from
//! the table); m4 is not in the trunking table (Xen, not Nitro); prices \[KARP] (cross-checked
//! against Karpenter's us-east-1 table).

use super::processors::{BROADWELL, GRAVITON2, GRAVITON3, ICE_LAKE, SAPPHIRE_RAPIDS, SKYLAKE};
use super::{arm64, x86, InstanceType, GIB};

/// Columns: name, vCPU, memory, max ENIs, IPv4/ENI, trunked awsvpc task limit, $/hour, speed.
pub(super) static GENERAL: &[InstanceType] = &[
    x86("m4.large", 2, 8 * GIB, 2, 10, None, 0.10, BROADWELL),
    x86("m4.xlarge", 4, 16 * GIB, 4, 15, None, 0.20, BROADWELL),
    x86("m4.2xlarge", 8, 32 * GIB, 4, 15, None, 0.40, BROADWELL),
    x86("m4.4xlarge", 16, 64 * GIB, 8, 30, None, 0.80, BROADWELL),
    // m5 and m6i share every figure in §3.2, price included.
    x86("m5.large", 2, 8 * GIB, 3, 10, Some(10), 0.096, SKYLAKE),
    x86("m5.xlarge", 4, 16 * GIB, 4, 15, Some(20), 0.192, SKYLAKE),
    x86("m5.2xlarge", 8, 32 * GIB, 4, 15, Some(40), 0.384, SKYLAKE),
    x86("m5.4xlarge", 16, 64 * GIB, 8, 30, Some(60), 0.768, SKYLAKE),
    x86("m6i.large", 2, 8 * GIB, 3, 10, Some(10), 0.096, ICE_LAKE),
    x86("m6i.xlarge", 4, 16 * GIB, 4, 15, Some(20), 0.192, ICE_LAKE),
    x86("m6i.2xlarge", 8, 32 * GIB, 4, 15, Some(40), 0.384, ICE_LAKE),
    x86("m6i.4xlarge", 16, 64 * GIB, 8, 30, Some(60), 0.768, ICE_LAKE),
    x86("m7i.large", 2, 8 * GIB, 3, 10, Some(10), 0.1008, SAPPHIRE_RAPIDS),
    x86("m7i.xlarge", 4, 16 * GIB, 4, 15, Some(20), 0.2016, SAPPHIRE_RAPIDS),
    x86("m7i.2xlarge", 8, 32 * GIB, 4, 15, Some(40), 0.4032, SAPPHIRE_RAPIDS),
    x86("m7i.4xlarge", 16, 64 * GIB, 8, 30, Some(60), 0.8064, SAPPHIRE_RAPIDS),
    arm64("m6g.medium", 1, 4 * GIB, 2, 4, Some(4), 0.0385, GRAVITON2),
    arm64("m6g.large", 2, 8 * GIB, 3, 10, Some(10), 0.077, GRAVITON2),
    arm64("m6g.xlarge", 4, 16 * GIB, 4, 15, Some(20), 0.154, GRAVITON2),
    arm64("m6g.2xlarge", 8, 32 * GIB, 4, 15, Some(40), 0.308, GRAVITON2),
    arm64("m6g.4xlarge", 16, 64 * GIB, 8, 30, Some(60), 0.616, GRAVITON2),
    arm64("m7g.medium", 1, 4 * GIB, 2, 4, Some(4), 0.0408, GRAVITON3),
    arm64("m7g.large", 2, 8 * GIB, 3, 10, Some(10), 0.0816, GRAVITON3),
    arm64("m7g.xlarge", 4, 16 * GIB, 4, 15, Some(20), 0.1632, GRAVITON3),
    arm64("m7g.2xlarge", 8, 32 * GIB, 4, 15, Some(40), 0.3264, GRAVITON3),
    arm64("m7g.4xlarge", 16, 64 * GIB, 8, 30, Some(60), 0.6528, GRAVITON3),
];
