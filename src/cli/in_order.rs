//! Work on every core, results in input order: the pipeline of `attest
//! verify` over thousands of bundles. Each worker takes the next item as
//! soon as it is free (no batch that the slowest item of each ends), and
//! this thread hands the results on in order as they come. Only `window`
//! results may wait to be handed on, so memory stays bounded whatever the
//! number of items, and the cores are never idle while one item is slow or
//! this thread writes.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

struct State<I: Iterator, T> {
    items: I,
    /// The index of the next item to hand out.
    next: usize,
    /// Results `handed..handed + ready.len()`, `None` while one is made.
    ready: VecDeque<Option<T>>,
    /// How many results were handed on.
    handed: usize,
    /// The items ran out: once `ready` is empty, every result was handed on.
    dry: bool,
    /// A worker stopped by a panic: nobody waits for its result.
    broken: bool,
}

struct Shared<I: Iterator, T> {
    state: Mutex<State<I, T>>,
    /// A result is in (this thread waits for the next one in order).
    filled: Condvar,
    /// A result was handed on (a worker waits for room in the window).
    room: Condvar,
}

impl<I: Iterator, T> Shared<I, T> {
    fn lock(&self) -> MutexGuard<'_, State<I, T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Marks the run broken if its thread unwinds, so no other waits for it.
struct Guard<'a, I: Iterator, T>(&'a Shared<I, T>);

impl<I: Iterator, T> Drop for Guard<'_, I, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().broken = true;
            self.0.filled.notify_all();
            self.0.room.notify_all();
        }
    }
}

/// Runs `work(index, item)` for every item on `threads` threads and gives
/// each result to `keep` on this thread, in the items' order. A panic of
/// `work` is raised again here once every worker has stopped.
pub fn run<I, T>(
    items: I,
    threads: usize,
    window: usize,
    work: impl Fn(usize, I::Item) -> T + Sync,
    mut keep: impl FnMut(T),
) where
    I: Iterator + Send,
    I::Item: Send,
    T: Send,
{
    let window = window.max(1);
    let shared = Shared {
        state: Mutex::new(State {
            items,
            next: 0,
            ready: VecDeque::new(),
            handed: 0,
            dry: false,
            broken: false,
        }),
        filled: Condvar::new(),
        room: Condvar::new(),
    };
    let worker = || {
        let _guard = Guard(&shared);
        loop {
            let (index, item) = {
                let mut s = shared.lock();
                while !s.broken && s.next >= s.handed + window {
                    s = shared.room.wait(s).unwrap_or_else(PoisonError::into_inner);
                }
                if s.broken {
                    return;
                }
                let Some(item) = s.items.next() else {
                    s.dry = true;
                    shared.filled.notify_one();
                    return;
                };
                let index = s.next;
                s.next += 1;
                s.ready.push_back(None);
                (index, item)
            };
            let result = work(index, item);
            let mut s = shared.lock();
            let at = index - s.handed;
            s.ready[at] = Some(result);
            if at == 0 {
                shared.filled.notify_one();
            }
        }
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1)).map(|_| scope.spawn(worker)).collect();
        // A panic of `keep` stops the workers too (one waiting for room would wait forever).
        let _stop = Guard(&shared);
        loop {
            let result = {
                let mut s = shared.lock();
                loop {
                    if s.broken {
                        break None;
                    }
                    if let Some(slot) = s.ready.front_mut()
                        && let Some(r) = slot.take()
                    {
                        s.ready.pop_front();
                        s.handed += 1;
                        shared.room.notify_all();
                        break Some(r);
                    }
                    if s.dry && s.ready.is_empty() {
                        break None;
                    }
                    s = shared.filled.wait(s).unwrap_or_else(PoisonError::into_inner);
                }
            };
            match result {
                Some(r) => keep(r),
                None => break,
            }
        }
        for w in workers {
            if let Err(panic) = w.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn results_come_in_order_with_at_most_a_window_waiting() {
        let made = AtomicUsize::new(0);
        let mut kept = Vec::new();
        let window = 4;
        run(
            0..500u64,
            3,
            window,
            |i, item| {
                assert_eq!(i as u64, item);
                // Uneven work, so the workers overtake each other.
                std::thread::sleep(std::time::Duration::from_micros((item * 37) % 200));
                made.fetch_add(1, Ordering::SeqCst);
                item * 2
            },
            |r| {
                let ahead = made.load(Ordering::SeqCst) - kept.len();
                assert!(ahead <= window, "{ahead} results waiting, the window is {window}");
                kept.push(r);
            },
        );
        assert_eq!(kept, (0..500u64).map(|i| i * 2).collect::<Vec<_>>());
        let mut none = Vec::new();
        run(std::iter::empty::<u8>(), 2, 8, |_, x| x, |x| none.push(x));
        assert!(none.is_empty());
    }

    #[test]
    fn a_panicking_item_stops_the_run_and_is_raised_here() {
        let mut kept = 0;
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(0..100, 2, 8, |i, _| if i == 50 { panic!("item 50") } else { i }, |_| kept += 1);
        }));
        let payload = caught.expect_err("the panic is raised again");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"item 50"));
        assert!(kept <= 50);
    }

    #[test]
    fn a_panic_while_keeping_stops_the_workers() {
        let caught = std::panic::catch_unwind(|| {
            run(0..1000, 2, 2, |i, _| i, |i| assert!(i < 10, "kept {i}"));
        });
        assert!(caught.is_err());
    }
}
