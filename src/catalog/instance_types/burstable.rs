//! Burstable types (t3, t4g), nano through 2xlarge. Neither family can trunk (the ECS trunking
//! table lists no t3 or t4g), so awsvpc tasks = ENIs - 1. Burst credits are not modelled.
//!
//! Sources: vCPU and memory, EC2 specs; ENIs and IPv4/ENI \[CNI] (t4g's equal t3's, size by size);
//! prices \[KARP] (cross-checked against Karpenter's us-east-1 table).

use super::processors::{GRAVITON2, SKYLAKE};
use super::{arm64, x86, InstanceType, GIB};

/// Columns: name, vCPU, memory, max ENIs, IPv4/ENI, trunked awsvpc task limit, $/hour, speed.
pub(super) static BURSTABLE: &[InstanceType] = &[
    x86("t3.nano", 2, GIB / 2, 2, 2, None, 0.0052, SKYLAKE),
    x86("t3.micro", 2, GIB, 2, 2, None, 0.0104, SKYLAKE),
    x86("t3.small", 2, 2 * GIB, 3, 4, None, 0.0208, SKYLAKE),
    x86("t3.medium", 2, 4 * GIB, 3, 6, None, 0.0416, SKYLAKE),
    x86("t3.large", 2, 8 * GIB, 3, 12, None, 0.0832, SKYLAKE),
    x86("t3.xlarge", 4, 16 * GIB, 4, 15, None, 0.1664, SKYLAKE),
    x86("t3.2xlarge", 8, 32 * GIB, 4, 15, None, 0.3328, SKYLAKE),
    arm64("t4g.nano", 2, GIB / 2, 2, 2, None, 0.0042, GRAVITON2),
    arm64("t4g.micro", 2, GIB, 2, 2, None, 0.0084, GRAVITON2),
    arm64("t4g.small", 2, 2 * GIB, 3, 4, None, 0.0168, GRAVITON2),
    arm64("t4g.medium", 2, 4 * GIB, 3, 6, None, 0.0336, GRAVITON2),
    arm64("t4g.large", 2, 8 * GIB, 3, 12, None, 0.0672, GRAVITON2),
    arm64("t4g.xlarge", 4, 16 * GIB, 4, 15, None, 0.1344, GRAVITON2),
    arm64("t4g.2xlarge", 8, 32 * GIB, 4, 15, None, 0.2688, GRAVITON2),
];
