//! Built-in AWS facts: EC2 instance types, Fargate task sizes, prices.
//!
//! Scenarios name an instance type or a Fargate size and expect the simulator to know what AWS
//! knows about it; this module is that knowledge, kept apart so every number has one home and one
//! source. Figures come from `docs/aws-behaviour.md` (sections 1.1, 2.1, 2.4 and 3); each doc
//! comment carries that document's source tag, and values AWS does not publish are marked
//! **UNVERIFIED**.
//!
//! Prices are a snapshot, not a live feed: EC2 prices are Linux on-demand in us-east-1 as generated
//! by Karpenter on 2026-07-20 \[KARP]; Fargate prices are us-east-1 as quoted by third parties in
//! March-June 2026 (see [`fargate::FARGATE_X86`]). They are the defaults a scenario starts from and
//! are meant to be overridable by scenarios later, for other regions, dates or discounts.

pub mod fargate;
mod instance_types;

pub use instance_types::{instance_type, instance_type_names, CpuArchitecture, InstanceType};
