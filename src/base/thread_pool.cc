#include "base/thread_pool.h"

#include <sched.h>

#include "base/check.h"
#include "base/cpu_features.h"

namespace miaotui {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins `spins` times on `done`, then yields the core until it holds.
template <typename Pred>
void SpinThenYield(Pred done, int spins) {
  for (int i = 0; i < spins; ++i) {
    if (done()) return;
    CpuRelax();
  }
  while (!done()) sched_yield();
}

// Spins before yielding. A team larger than the cores it may run on is oversubscribed: a
// member waiting at a barrier then usually waits for one that is not running, so spinning only
// burns the core that member needs; such teams yield almost at once.
int SpinBudget(int team, int spins) {
  cpu_set_t set;
  int cpus = HardwareConcurrency();
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cpus = CPU_COUNT(&set);
  return team > cpus ? 16 : spins;
}

}  // namespace

ThreadPool::ThreadPool(int n_threads)
    : n_(n_threads < 1 ? 1 : n_threads),
      run_spins_(SpinBudget(n_, 1 << 14)),
      idle_spins_(SpinBudget(n_, 1 << 15)),
      barrier_spins_(SpinBudget(n_, 1 << 12)) {
  workers_.reserve(n_ - 1);
  for (int i = 1; i < n_; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::Run(const std::function<void(int, int)>& fn) {
  if (n_ == 1) {
    fn(0, 1);
    return;
  }
  pending_.store(n_ - 1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &fn;
    job_epoch_.fetch_add(1, std::memory_order_release);
  }
  cv_.notify_all();
  fn(0, n_);
  SpinThenYield([&] { return pending_.load(std::memory_order_acquire) == 0; }, run_spins_);
}

void ThreadPool::WorkerLoop(int index) {
  uint64_t seen = 0;
  for (;;) {
    // Spin a little first: the next decode step usually arrives within microseconds.
    for (int i = 0; i < idle_spins_; ++i) {
      if (job_epoch_.load(std::memory_order_acquire) != seen || stop_.load()) break;
      CpuRelax();
    }
    const std::function<void(int, int)>* job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_.load() || job_epoch_.load() != seen; });
      if (stop_.load()) return;
      seen = job_epoch_.load();
      job = job_;
    }
    (*job)(index, n_);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::Barrier() {
  if (n_ == 1) return;
  uint32_t gen = barrier_generation_.load(std::memory_order_acquire);
  if (barrier_count_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
    barrier_count_.store(0, std::memory_order_relaxed);
    barrier_generation_.fetch_add(1, std::memory_order_acq_rel);
    return;
  }
  SpinThenYield([&] { return barrier_generation_.load(std::memory_order_acquire) != gen; },
                barrier_spins_);
}

}  // namespace miaotui
