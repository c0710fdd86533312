//! Statistics of a sweep's measures (placeholder, being written).
