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
    /// How many results were taken out of `ready` (the index of its front).
    handed: usize,
    /// How many results the keeper is done with: the window counts from here.
    kept: usize,
    /// The items ran out: once `ready` is empty, every result was handed on.
    dry: bool,
    /// A worker stopped by a panic: nobody waits for its result.
    broken: bool,
    /// This thread sleeps until [`BATCH`] results are ready in order (or
    /// the run ends): one wake-up a batch, not one a result.
    keeper_waits: bool,
    /// Workers sleeping until the window has room: nobody to wake when 0.
    room_waiters: usize,
}

/// Results handed on per wake-up of the thread that keeps them: each
/// wake-up is a context switch away from a worker on a busy machine.
const BATCH: usize = 32;

impl<I: Iterator, T> State<I, T> {
    /// Whether the keeper has a batch to take: [`BATCH`] results ready in
    /// order, or the run is ending (no more items, a panic), or the window
    /// is full (the workers wait for it).
    fn batch_ready(&self, window: usize) -> bool {
        let in_order = self.ready.iter().take(BATCH).take_while(|r| r.is_some()).count();
        in_order == BATCH || (in_order > 0 && (self.dry || self.next >= self.kept + window)) || self.broken
    }
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
            kept: 0,
            dry: false,
            broken: false,
            keeper_waits: false,
            room_waiters: 0,
        }),
        filled: Condvar::new(),
        room: Condvar::new(),
    };
    let worker = || {
        let _guard = Guard(&shared);
        loop {
            let (index, item) = {
                let mut s = shared.lock();
                while !s.broken && s.next >= s.kept + window {
                    if s.keeper_waits {
                        shared.filled.notify_one();
                    }
                    s.room_waiters += 1;
                    s = shared.room.wait(s).unwrap_or_else(PoisonError::into_inner);
                    s.room_waiters -= 1;
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
            if s.keeper_waits && at < BATCH && s.batch_ready(window) {
                shared.filled.notify_one();
            }
        }
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1)).map(|_| scope.spawn(worker)).collect();
        // A panic of `keep` stops the workers too (one waiting for room would wait forever).
        let _stop = Guard(&shared);
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            {
                let mut s = shared.lock();
                // The last batch is kept: its room in the window is free.
                s.kept = s.handed;
                if s.room_waiters > 0 {
                    shared.room.notify_all();
                }
                loop {
                    if s.broken {
                        break;
                    }
                    while let Some(slot) = s.ready.front_mut()
                        && let Some(r) = slot.take()
                    {
                        s.ready.pop_front();
                        batch.push(r);
                    }
                    if !batch.is_empty() {
                        s.handed += batch.len();
                        break;
                    }
                    if s.dry && s.ready.is_empty() {
                        break;
                    }
                    s.keeper_waits = true;
                    while !(s.batch_ready(window) || (s.dry && s.ready.is_empty())) {
                        s = shared.filled.wait(s).unwrap_or_else(PoisonError::into_inner);
                    }
                    s.keeper_waits = false;
                }
            }
            if batch.is_empty() {
                break;
            }
            batch.drain(..).for_each(&mut keep);
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
