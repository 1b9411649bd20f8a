// EventQueue: hands one request's GenerationEvents from the engine's scheduler thread to the
// HTTP thread that answers it. Push never blocks for long (the scheduler must keep going); Pop
// waits up to a timeout, so the HTTP side can also notice a client that went away.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "runtime/engine.h"

namespace miaotui::server {

class EventQueue {
 public:
  void Push(const runtime::GenerationEvent& ev) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(ev);
    }
    cv_.notify_one();
  }
  // False when nothing arrived within `timeout`.
  bool Pop(runtime::GenerationEvent* ev, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return false;
    *ev = std::move(events_.front());
    events_.pop_front();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<runtime::GenerationEvent> events_;
};

}  // namespace miaotui::server
