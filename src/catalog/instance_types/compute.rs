//! Compute optimised types: c4 (previous generation, Xen), c5, c6i (Intel), c7g (Graviton3), large
//! through 4xlarge, plus c7g.medium.
//!
//! Sources: vCPU and memory, EC2 specs (2 GiB per vCPU; c4 3.75 GiB per 2 vCPUs); ENIs and
//! IPv4/ENI \[CNI] (the Nitro pattern of [`super::general`]; c4.large has 3 ENIs, unlike m4.large);
//! trunked task limits \[DG23:Elastic network interface trunking] (c7g.medium's 4 **UNVERIFIED**);
//! c4 is not in the trunking table; prices \[KARP] (cross-checked against Karpenter's us-east-1
//! table).

use super::processors::{C5, GRAVITON3, HASWELL_C4, ICE_LAKE};
use super::{arm64, x86, InstanceType, GIB};

/// Columns: name, vCPU, memory, max ENIs, IPv4/ENI, trunked awsvpc task limit, $/hour, speed.
pub(super) static COMPUTE: &[InstanceType] = &[
    x86("c4.large", 2, 3840, 3, 10, None, 0.10, HASWELL_C4),
    x86("c4.xlarge", 4, 7680, 4, 15, None, 0.199, HASWELL_C4),
    x86("c4.2xlarge", 8, 15 * GIB, 4, 15, None, 0.398, HASWELL_C4),
    x86("c4.4xlarge", 16, 30 * GIB, 8, 30, None, 0.796, HASWELL_C4),
    x86("c5.large", 2, 4 * GIB, 3, 10, Some(10), 0.085, C5),
    x86("c5.xlarge", 4, 8 * GIB, 4, 15, Some(20), 0.170, C5),
    x86("c5.2xlarge", 8, 16 * GIB, 4, 15, Some(40), 0.340, C5),
    x86("c5.4xlarge", 16, 32 * GIB, 8, 30, Some(60), 0.680, C5),
    x86("c6i.large", 2, 4 * GIB, 3, 10, Some(10), 0.085, ICE_LAKE),
    x86("c6i.xlarge", 4, 8 * GIB, 4, 15, Some(20), 0.170, ICE_LAKE),
    x86("c6i.2xlarge", 8, 16 * GIB, 4, 15, Some(40), 0.340, ICE_LAKE),
    x86("c6i.4xlarge", 16, 32 * GIB, 8, 30, Some(60), 0.680, ICE_LAKE),
    arm64("c7g.medium", 1, 2 * GIB, 2, 4, Some(4), 0.0363, GRAVITON3),
    arm64("c7g.large", 2, 4 * GIB, 3, 10, Some(10), 0.0725, GRAVITON3),
    arm64("c7g.xlarge", 4, 8 * GIB, 4, 15, Some(20), 0.145, GRAVITON3),
    arm64("c7g.2xlarge", 8, 16 * GIB, 4, 15, Some(40), 0.290, GRAVITON3),
    arm64("c7g.4xlarge", 16, 32 * GIB, 8, 30, Some(60), 0.580, GRAVITON3),
];
