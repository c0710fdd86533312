//! Things kept by name in the order their names first came, for files whose lines repeat a few
//! names in a steady order (a metrics row per service per interval, a breakdown line per service
//! and key): the name of the line before and the one after it are tried before the index is
//! searched, so a line costs a comparison or two, not a search of a list (which made reading and
//! writing a large run quadratic in its services) nor a `String` for a lookup.
//!
//! Contract: a map from name to value that iterates in first-seen order.

use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct ByName<T> {
    items: Vec<(String, T)>,
    index: BTreeMap<String, usize>,
    last: usize,
}

impl<T> Default for ByName<T> {
    fn default() -> Self {
        ByName { items: Vec::new(), index: BTreeMap::new(), last: 0 }
    }
}

impl<T> ByName<T> {
    /// The value of `name`, made by `new` the first time the name comes.
    pub fn entry(&mut self, name: &str, new: impl FnOnce() -> T) -> &mut T {
        let next = if self.items.is_empty() { 0 } else { (self.last + 1) % self.items.len() };
        let hit = [self.last, next].into_iter().find(|&i| self.items.get(i).is_some_and(|(n, _)| n == name));
        self.last = match hit.or_else(|| self.index.get(name).copied()) {
            Some(i) => i,
            None => {
                self.index.insert(name.to_string(), self.items.len());
                self.items.push((name.to_string(), new()));
                self.items.len() - 1
            }
        };
        &mut self.items[self.last].1
    }

    /// Every name and value, in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = &(String, T)> {
        self.items.iter()
    }

    pub fn into_vec(self) -> Vec<(String, T)> {
        self.items
    }
}

/// The pairs in order; a name given twice keeps its first place and its last value.
impl<T> FromIterator<(String, T)> for ByName<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(pairs: I) -> Self {
        let mut by_name = ByName::default();
        for (name, value) in pairs {
            match by_name.index.get(&name) {
                Some(&i) => by_name.items[i].1 = value,
                None => {
                    by_name.index.insert(name.clone(), by_name.items.len());
                    by_name.items.push((name, value));
                }
            }
        }
        by_name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_name_whatever_the_order_and_kept_in_first_seen_order() {
        let mut by_name: ByName<Vec<u32>> = ByName::default();
        for (name, n) in [("b", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5), ("a", 6), ("c", 7), ("b", 8)] {
            by_name.entry(name, Vec::new).push(n);
        }
        let items: Vec<(&str, &[u32])> = by_name.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
        assert_eq!(items, [("b", &[1, 3, 8][..]), ("a", &[2, 4, 6][..]), ("c", &[5, 7][..])]);
        let collected: ByName<u32> =
            [("x", 1), ("y", 2), ("x", 3)].map(|(n, v)| (n.to_string(), v)).into_iter().collect();
        assert_eq!(collected.into_vec(), [("x".to_string(), 3), ("y".to_string(), 2)]);
    }
}
