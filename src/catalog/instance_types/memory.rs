//! Memory optimised types: r5, r6i (Intel), r7g (Graviton3), large through 4xlarge, plus
//! r7g.medium.
//!
//! Sources: vCPU and memory, EC2 specs (8 GiB per vCPU); ENIs and IPv4/ENI \[CNI] (the Nitro
//! pattern of [`super::general`]); trunked task limits \[DG23:Elastic network interface trunking]
//! (r7g.medium's 4 **UNVERIFIED**); prices \[KARP] (cross-checked against Karpenter's us-east-1
//! table).

use super::processors::{GRAVITON3, ICE_LAKE, SKYLAKE};
use super::{arm64, x86, InstanceType, GIB};

/// Columns: name, vCPU, memory, max ENIs, IPv4/ENI, trunked awsvpc task limit, $/hour, speed.
pub(super) static MEMORY: &[InstanceType] = &[
    x86("r5.large", 2, 16 * GIB, 3, 10, Some(10), 0.126, SKYLAKE),
    x86("r5.xlarge", 4, 32 * GIB, 4, 15, Some(20), 0.252, SKYLAKE),
    x86("r5.2xlarge", 8, 64 * GIB, 4, 15, Some(40), 0.504, SKYLAKE),
    x86("r5.4xlarge", 16, 128 * GIB, 8, 30, Some(60), 1.008, SKYLAKE),
    x86("r6i.large", 2, 16 * GIB, 3, 10, Some(10), 0.126, ICE_LAKE),
    x86("r6i.xlarge", 4, 32 * GIB, 4, 15, Some(20), 0.252, ICE_LAKE),
    x86("r6i.2xlarge", 8, 64 * GIB, 4, 15, Some(40), 0.504, ICE_LAKE),
    x86("r6i.4xlarge", 16, 128 * GIB, 8, 30, Some(60), 1.008, ICE_LAKE),
    arm64("r7g.medium", 1, 8 * GIB, 2, 4, Some(4), 0.0536, GRAVITON3),
    arm64("r7g.large", 2, 16 * GIB, 3, 10, Some(10), 0.1071, GRAVITON3),
    arm64("r7g.xlarge", 4, 32 * GIB, 4, 15, Some(20), 0.2142, GRAVITON3),
    arm64("r7g.2xlarge", 8, 64 * GIB, 4, 15, Some(40), 0.4284, GRAVITON3),
    arm64("r7g.4xlarge", 16, 128 * GIB, 8, 30, Some(60), 0.8568, GRAVITON3),
];
