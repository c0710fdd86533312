//! Task definitions and the task: its lifecycle through ECS's states, with the timing of each step.

mod behaviour;
mod change;
mod containers;
mod definition;
mod lifecycle;
mod table;
mod timing;

pub use behaviour::{health_transitions, ContainerBehaviour, Health, MemoryUse, ProbeFailure};
pub use change::{announce, Announce, Reaction, TaskChange};
pub use containers::{
    fail_health_checks, has_health_check, on_event as on_container_event, OUT_OF_MEMORY, SIGKILL_EXIT_CODE,
};
pub use definition::{
    Compatibility, ContainerDefinition, DependencyCondition, HealthCheck, HostPort, NetworkMode, PortMapping, Protocol,
    TaskDefinition,
};
pub use lifecycle::{
    assign_instance, crash, drained, exit_container, kill, launch, launch_running, on_step, run_from_start, stop,
    NewTask, Placement, StopCode, Task, TaskOwner, TaskStatus,
};
pub use table::Tasks;
pub use timing::{Backoff, ImagePull, LifecycleTiming};
