//! Task definitions and the task: its lifecycle through ECS's states, with the timing of each step.

mod definition;
mod lifecycle;
mod timing;

pub use definition::{ContainerDefinition, NetworkMode, PortMapping, TaskDefinition};
pub use lifecycle::{launch, on_step, stop, Placement, StopCode, Task, TaskStatus};
pub use timing::{ImagePull, LifecycleTiming};
