//! A bounded pool for CPU-heavy work (XML, RSA): tokio's blocking threads, at most `permits`
//! jobs at once, so that a flood of expensive requests queues asynchronously instead of taking
//! every core from the async workers that serve the other endpoints.

use tokio::sync::Semaphore;

pub struct CpuPool {
    permits: Semaphore,
}

impl CpuPool {
    /// One fewer job than the machine's cores (at least one): a core stays free for the rest.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        CpuPool {
            permits: Semaphore::new(cores.saturating_sub(1).max(1)),
        }
    }

    /// Runs `work` on a blocking thread once a permit is free; `None` if it panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let _permit = self.permits.acquire().await.ok()?;
        tokio::task::spawn_blocking(work).await.ok()
    }
}
