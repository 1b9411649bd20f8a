#include "base/thread_pool.h"

#include "base/cpu_features.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace miaotui {
namespace {

TEST(ThreadPoolTest, EveryMemberRunsOnce) {
  for (int n : {1, 2, 3, 5}) {
    ThreadPool pool(n);
    std::vector<int> hits(n, 0);
    for (int rep = 0; rep < 50; ++rep) {
      pool.Run([&](int i, int size) {
        EXPECT_EQ(size, n);
        hits[i]++;
      });
    }
    for (int i = 0; i < n; ++i) EXPECT_EQ(hits[i], 50);
  }
}

TEST(ThreadPoolTest, BarrierOrdersPhases) {
  ThreadPool pool(4);
  std::vector<int> data(4, 0);
  std::atomic<int> errors{0};
  for (int rep = 0; rep < 100; ++rep) {
    pool.Run([&](int i, int n) {
      for (int phase = 1; phase <= 20; ++phase) {
        data[i] = phase;
        pool.Barrier();
        for (int j = 0; j < n; ++j) {
          if (data[j] != phase) errors++;
        }
        pool.Barrier();
      }
    });
  }
  EXPECT_EQ(errors.load(), 0);
}

// A team larger than the CPUs (the short-spin policy) keeps every phase ordered.
TEST(ThreadPoolTest, OversubscribedTeamKeepsPhases) {
  const int n = HardwareConcurrency() + 2;
  ThreadPool pool(n);
  std::vector<int> data(n, 0);
  std::atomic<int> errors{0};
  for (int rep = 0; rep < 20; ++rep) {
    pool.Run([&](int i, int size) {
      for (int phase = 1; phase <= 10; ++phase) {
        data[i] = phase;
        pool.Barrier();
        for (int j = 0; j < size; ++j) {
          if (data[j] != phase) errors++;
        }
        pool.Barrier();
      }
    });
  }
  EXPECT_EQ(errors.load(), 0);
}

TEST(ThreadPoolTest, SplitRangeCoversEverythingOnce) {
  for (int64_t n : {0, 1, 7, 100}) {
    for (int parts : {1, 2, 3, 8}) {
      int64_t expect = 0;
      for (int i = 0; i < parts; ++i) {
        int64_t b, e;
        ThreadPool::SplitRange(n, parts, i, &b, &e);
        EXPECT_EQ(b, expect);
        expect = e;
      }
      EXPECT_EQ(expect, n);
    }
  }
}

}  // namespace
}  // namespace miaotui
