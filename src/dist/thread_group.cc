#include "dist/thread_group.h"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <tuple>

namespace miaotui::dist {
namespace {

struct Mailboxes {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::tuple<int, int, int>, std::deque<std::vector<uint8_t>>> boxes;  // src, dst, tag
};

class ThreadRank final : public Communicator {
 public:
  ThreadRank(std::shared_ptr<Mailboxes> m, int rank, int size)
      : m_(std::move(m)), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  const char* kind() const override { return "threads"; }
  [[noreturn]] void Abort(const Status& error) override { Communicator::Abort(error); }

 protected:
  Status Exchange(std::span<const Message> sends, std::span<const Message> recvs,
                  const char* what) override {
    std::unique_lock<std::mutex> lock(m_->mu);
    for (const Message& s : sends) {
      const auto* p = static_cast<const uint8_t*>(s.data);
      m_->boxes[{rank_, s.peer, s.tag}].emplace_back(p, p + s.bytes);
    }
    if (!sends.empty()) m_->cv.notify_all();
    const auto deadline = std::chrono::steady_clock::now() + timeout();
    for (const Message& r : recvs) {
      auto& box = m_->boxes[{r.peer, rank_, r.tag}];
      auto ready = [&] { return !box.empty(); };
      if (timeout().count() <= 0) {
        m_->cv.wait(lock, ready);
      } else if (!m_->cv.wait_until(lock, deadline, ready)) {
        return TimeoutError(r.peer, what);
      }
      std::vector<uint8_t>& msg = box.front();
      if (msg.size() != r.bytes) {
        return Internal("rank " + std::to_string(rank_) + ": expected " +
                        std::to_string(r.bytes) + " bytes from rank " + std::to_string(r.peer) +
                        " during " + what + ", got " + std::to_string(msg.size()));
      }
      std::memcpy(r.data, msg.data(), r.bytes);
      box.pop_front();
    }
    return Status::Ok();
  }

 private:
  std::shared_ptr<Mailboxes> m_;
  int rank_, size_;
};

}  // namespace

std::vector<std::unique_ptr<Communicator>> MakeThreadGroup(int n_ranks) {
  auto m = std::make_shared<Mailboxes>();
  std::vector<std::unique_ptr<Communicator>> out;
  for (int r = 0; r < n_ranks; ++r) out.push_back(std::make_unique<ThreadRank>(m, r, n_ranks));
  return out;
}

}  // namespace miaotui::dist
