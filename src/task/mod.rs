//! Task definitions and the task: its lifecycle through ECS's states, with the timing of each step.

mod definition;
mod lifecycle;
mod timing;

pub use definition::{
    Compatibility, ContainerDefinition, DependencyCondition, HealthCheck, HostPort, NetworkMode, PortMapping, Protocol,
    TaskDefinition,
};
pub use lifecycle::{
    assign_instance, crash, kill, launch, on_step, stop, NewTask, Placement, StopCode, Task, TaskOwner, TaskStatus,
};
pub use timing::{ImagePull, LifecycleTiming};
