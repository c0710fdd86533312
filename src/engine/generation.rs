//! Lazy cancellation. Instead of searching the heap for events to remove, every entity carries a
//! generation that is bumped whenever its pending timers become stale (a task told to stop while
//! its image is pulling, say). Events carry the generation they were scheduled under, and the
//! handler drops an event whose generation is no longer the entity's.

/// A counter stamped on scheduled events; see the module docs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Generation(u32);

impl Generation {
    /// Invalidates every event stamped with the current generation.
    pub fn bump(&mut self) {
        self.0 = self.0.wrapping_add(1);
    }

    /// Whether an event stamped with `stamp` still applies.
    pub fn is_current(self, stamp: Generation) -> bool {
        self == stamp
    }
}
