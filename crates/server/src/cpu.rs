//! A bounded pool for CPU-heavy work (XML, RSA): tokio's blocking threads, at most one job per
//! core at once. The async workers that serve every other endpoint are never occupied by such
//! work: the OS shares the cores between the pool's threads and them, so a flood of expensive
//! requests queues (asynchronously, at the pool) while SCIM and the consoles keep answering.

use tokio::sync::Semaphore;

pub struct CpuPool {
    permits: Semaphore,
}

impl CpuPool {
    /// One job per core of this machine.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        CpuPool {
            permits: Semaphore::new(cores),
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

impl Default for CpuPool {
    fn default() -> Self {
        Self::for_this_machine()
    }
}
