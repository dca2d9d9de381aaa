//! The bounded log behind both fakes' `GET /__admin/requests`: entries in order with a sequence
//! number, the oldest dropped past the capacity, so a long run cannot grow without bound.

use std::collections::VecDeque;
use std::sync::Mutex;

pub struct BoundedLog<T> {
    /// The last sequence number handed out, and the entries kept.
    inner: Mutex<(u64, VecDeque<T>)>,
    capacity: usize,
}

impl<T> BoundedLog<T> {
    /// A log that keeps at least one entry.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new((0, VecDeque::with_capacity(capacity.clamp(1, 1024)))),
            capacity: capacity.max(1),
        }
    }

    /// Appends one entry built from its sequence number.
    pub fn push(&self, make: impl FnOnce(u64) -> T) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.0 += 1;
        let seq = inner.0;
        let evicted = if inner.1.len() == self.capacity {
            inner.1.pop_front()
        } else {
            None
        };
        inner.1.push_back(make(seq));
        // The entry pushed out is freed after the lock is let go, not while others wait on it.
        drop(inner);
        drop(evicted);
    }

    /// Every entry kept, oldest first, as `read` renders it.
    pub fn read<R>(&self, read: impl FnMut(&T) -> R) -> Vec<R> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .iter()
            .map(read)
            .collect()
    }

    pub fn clear(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_with_their_sequence_numbers() {
        let log = BoundedLog::new(2);
        for word in ["a", "b", "c"] {
            log.push(|seq| (seq, word));
        }
        assert_eq!(log.read(|e| *e), [(2, "b"), (3, "c")]);
        log.clear();
        log.push(|seq| (seq, "d"));
        assert_eq!(log.read(|e| *e), [(4, "d")], "numbers go on after a clear");
        let none: BoundedLog<u8> = BoundedLog::new(0);
        none.push(|_| 1);
        assert_eq!(none.read(|e| *e), [1], "a capacity of 0 still keeps one");
    }
}
