//! The processors behind the catalog's families, with the clocks AWS states for them and the
//! per-vCPU speed ecsim derives (speed = all-core turbo / 3.1 GHz x per-core factor; see
//! [`Speed`]). Each constant names its clock's source.

use super::Speed;

/// m5 (the reference), r5 and t3: Intel Xeon Platinum 8000 series (Skylake-SP / Cascade Lake,
/// 8175M / 8259CL), all-core turbo up to 3.1 GHz (AWS's M5 / R5 / T3 pages). t3 burst credits are
/// not modelled: a t3 runs at this speed throughout.
pub const SKYLAKE: Speed =
    Speed { processor: "Intel Xeon Platinum 8175M / 8259CL", all_core_ghz: 3.1, core_factor: 1.0, speed: 1.0 };
/// c5: Intel Xeon Platinum 8124M / 8275CL, all-core turbo 3.4 GHz (AWS's C5 page; first
/// generation; later hosts reach 3.6 GHz, which ecsim does not count).
pub const C5: Speed =
    Speed { processor: "Intel Xeon Platinum 8124M / 8275CL", all_core_ghz: 3.4, core_factor: 1.0, speed: 1.1 };
/// m6i / c6i / r6i: 3rd generation Xeon Scalable (Ice Lake 8375C), all-core turbo 3.5 GHz (AWS's
/// M6i / C6i / R6i pages: "all-core turbo frequency of 3.5 GHz").
pub const ICE_LAKE: Speed =
    Speed { processor: "Intel Xeon Platinum 8375C", all_core_ghz: 3.5, core_factor: 1.0, speed: 1.13 };
/// m7i: 4th generation Xeon Scalable (Sapphire Rapids 8488C), all-core turbo 3.2 GHz (AWS's M7i
/// page: "all-core turbo frequency of 3.2 GHz").
pub const SAPPHIRE_RAPIDS: Speed =
    Speed { processor: "Intel Xeon Platinum 8488C", all_core_ghz: 3.2, core_factor: 1.0, speed: 1.03 };
/// m4: Intel Xeon E5-2686 v4 (Broadwell) at 2.3 GHz or E5-2676 v3 (Haswell) at 2.4 GHz (AWS's M4
/// page). AWS states no all-core turbo for M4, so ecsim takes the Broadwell hosts' stated 2.3 GHz
/// (the processor most m4s report); that this is the sustained clock is **UNVERIFIED**.
pub const BROADWELL: Speed =
    Speed { processor: "Intel Xeon E5-2686 v4 / E5-2676 v3", all_core_ghz: 2.3, core_factor: 1.0, speed: 0.74 };
/// c4: Intel Xeon E5-2666 v3 (Haswell), base 2.9 GHz, Turbo Boost up to 3.5 GHz on one or two
/// cores (AWS's C4 page); with all cores busy it holds 3.2 GHz (AWS's processor state control
/// page for c4.8xlarge) — the all-core figure ecsim uses. **UNVERIFIED** for sizes below 8xlarge.
pub const HASWELL_C4: Speed =
    Speed { processor: "Intel Xeon E5-2666 v3", all_core_ghz: 3.2, core_factor: 1.0, speed: 1.03 };
/// m6g and t4g: AWS Graviton2 (Arm Neoverse N1), 2.5 GHz (AWS's Graviton2 pages; Graviton runs at a
/// fixed frequency).
pub const GRAVITON2: Speed = Speed { processor: "AWS Graviton2", all_core_ghz: 2.5, core_factor: 1.0, speed: 0.81 };
/// m7g, c7g and r7g: AWS Graviton3 (Arm Neoverse V1), 2.6 GHz, with the 1.25 factor over Graviton2
/// (AWS: "up to 25% better compute performance").
pub const GRAVITON3: Speed = Speed { processor: "AWS Graviton3", all_core_ghz: 2.6, core_factor: 1.25, speed: 1.05 };

/// Every processor above, for the test that checks the rule.
#[cfg(test)]
pub const ALL: [Speed; 8] = [SKYLAKE, C5, ICE_LAKE, SAPPHIRE_RAPIDS, BROADWELL, HASWELL_C4, GRAVITON2, GRAVITON3];
